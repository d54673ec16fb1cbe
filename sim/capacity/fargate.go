package capacity

import (
	"fmt"
	"strings"
)

// FargateSize is one CPU row of the Fargate task size table: the task CPU units
// and the memory values (MiB) it accepts.
type FargateSize struct {
	CPU       int
	MemoryMiB []int
}

// FargateSizes is the table of valid Linux Fargate task sizes.
// AWS (ECS Developer Guide, "Task CPU and memory",
// https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size):
// 256: 512, 1024, 2048; 512: 1-4 GB; 1024: 2-8 GB; 2048: 4-16 GB; 4096: 8-30 GB
// in 1 GB steps; 8192: 16-60 GB in 4 GB steps; 16384: 32-120 GB in 8 GB steps.
func FargateSizes() []FargateSize {
	gbRange := func(lo, hi, step int) []int {
		var out []int
		for g := lo; g <= hi; g += step {
			out = append(out, g*1024)
		}
		return out
	}
	return []FargateSize{
		{256, []int{512, 1024, 2048}},
		{512, gbRange(1, 4, 1)},
		{1024, gbRange(2, 8, 1)},
		{2048, gbRange(4, 16, 1)},
		{4096, gbRange(8, 30, 1)},
		{8192, gbRange(16, 60, 4)},
		{16384, gbRange(32, 120, 8)},
	}
}

// CheckFargateSize returns nil if cpu/memory is a valid Fargate task size, or
// an error naming the valid memory values for that cpu (or the valid cpus).
func CheckFargateSize(cpu, memoryMiB int) error {
	var cpus []string
	for _, s := range FargateSizes() {
		cpus = append(cpus, fmt.Sprint(s.CPU))
		if s.CPU != cpu {
			continue
		}
		for _, m := range s.MemoryMiB {
			if m == memoryMiB {
				return nil
			}
		}
		return fmt.Errorf("Fargate task with cpu %d accepts memory %s MiB, not %d", cpu, describeMemories(s.MemoryMiB), memoryMiB)
	}
	return fmt.Errorf("Fargate task cpu must be one of %s, not %d", strings.Join(cpus, ", "), cpu)
}

func describeMemories(ms []int) string {
	if len(ms) <= 3 {
		parts := make([]string, len(ms))
		for i, m := range ms {
			parts[i] = fmt.Sprint(m)
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprintf("%d to %d in steps of %d", ms[0], ms[len(ms)-1], ms[1]-ms[0])
}
