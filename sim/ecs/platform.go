package ecs

// Platform is a task definition's runtimePlatform. AWS (ECS API Reference,
// "RuntimePlatform", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RuntimePlatform.html):
// cpuArchitecture X86_64 | ARM64; operatingSystemFamily LINUX or one of the
// WINDOWS_SERVER_* values; both optional. The zero Platform is what AWS
// assumes when neither is given: Linux on x86_64.
type Platform struct {
	CPUArchitecture string // "X86_64", "ARM64"; "" unset (x86_64)
	OSFamily        string // "LINUX", "WINDOWS_SERVER_2019_CORE", ...; "" unset (LINUX)
}

// CPU architectures and the Linux OS family, as the API spells them.
const (
	ArchX86_64 = "X86_64"
	ArchARM64  = "ARM64"
	OSLinux    = "LINUX"
)

// ARM64 reports whether the task runs on ARM (Graviton).
func (p Platform) ARM64() bool { return p.CPUArchitecture == ArchARM64 }

// Windows reports whether the task runs Windows containers.
func (p Platform) Windows() bool { return p.OSFamily != "" && p.OSFamily != OSLinux }

// InstanceArch is the ecs.cpu-architecture attribute value of the instances
// the task may run on ("x86_64" or "arm64"), "" when the task names no
// architecture. AWS (Amazon ECS container instance attributes): the agent
// registers ecs.cpu-architecture as x86_64 or arm64.
func (p Platform) InstanceArch() string {
	switch p.CPUArchitecture {
	case ArchARM64:
		return "arm64"
	case ArchX86_64:
		return "x86_64"
	}
	return ""
}

// InstanceOSType is the ecs.os-type attribute value of the instances the
// task may run on ("linux" or "windows"), "" when the task names no OS.
func (p Platform) InstanceOSType() string {
	switch {
	case p.OSFamily == "":
		return ""
	case p.Windows():
		return "windows"
	}
	return "linux"
}

// GPUs is the number of physical GPUs a task reserves on its instance: the
// sum of its containers' GPU resource requirements. AWS (ECS API Reference,
// "ResourceRequirement"): "The number of GPUs that's reserved for all
// containers in a task can't exceed the number of available GPUs on the
// container instance that the task is launched on."
func (td *TaskDefinition) GPUs() int {
	n := 0
	for _, c := range td.Containers {
		n += c.GPUs
	}
	return n
}
