package kube

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Sources for the pod rules (kubernetes/kubernetes, read, not copied):
// pkg/apis/core/v1/defaults.go (SetDefaults_Pod: a container's requests
// default to its limits; defaultHostNetworkPorts: with hostNetwork a port's
// hostPort defaults to its containerPort) and pkg/apis/core/validation
// (containers, ports, resources, tolerations, affinity, spread constraints).

// Restart policies.
const (
	Always    = "Always"
	OnFailure = "OnFailure"
	Never     = "Never"
)

// PodTemplate is a workload's spec.template.
type PodTemplate struct {
	Meta ObjectMeta // labels and annotations; no name
	Spec PodSpec
}

// PodSpec is the part of a pod's spec fleetsim reads. Defaults are applied as
// the API server applies them to the pods created from a template.
type PodSpec struct {
	InitContainers []Container
	Containers     []Container
	RestartPolicy  string // Always (the default), OnFailure or Never
	// TerminationGracePeriod is terminationGracePeriodSeconds (30 s when
	// unset): how long a stopping pod has before it is killed.
	TerminationGracePeriod time.Duration
	NodeName               string // spec.nodeName: bound to that node, not scheduled
	NodeSelector           map[string]string
	Tolerations            []Toleration
	Affinity               Affinity
	// TopologySpreadConstraints are the pod's own; none means the
	// scheduler's cluster defaults apply.
	TopologySpreadConstraints []TopologySpreadConstraint
	PriorityClassName         string
	HostNetwork               bool
}

// Container is one container or init container.
type Container struct {
	Name  string
	Image string
	// Requests are what the scheduler reserves. A resource with a limit and
	// no request is requested at its limit (SetDefaults_Pod).
	Requests Resources
	Limits   Resources
	Ports    []ContainerPort
	// Sidecar marks an init container with restartPolicy Always (a native
	// sidecar): it keeps running beside the app containers.
	Sidecar bool
	// Privileged is securityContext.privileged (Fargate refuses such a pod).
	Privileged bool
}

// ResourceNames is a set of the three resources Resources has fields for.
type ResourceNames uint8

// The resources with fields in Resources.
const (
	CPU ResourceNames = 1 << iota
	Memory
	EphemeralStorage
)

// Resources is a container's requests or limits: CPU in millicores, memory
// and ephemeral storage in bytes (Kubernetes' MilliValue and Value, rounded
// up), which of the three are set (named in the manifest, "0" included, or a
// request defaulted from its limit), and the other resources by name in
// their integer unit (nvidia.com/gpu: 1; hugepages-2Mi: bytes).
type Resources struct {
	MilliCPU       int64
	MemoryBytes    int64
	EphemeralBytes int64
	Given          ResourceNames
	Extended       map[string]int64
}

// Has reports whether the manifest names resource n.
func (r Resources) Has(n ResourceNames) bool { return r.Given&n != 0 }

// ContainerPort is one entry of a container's ports.
type ContainerPort struct {
	Name          string
	ContainerPort int
	// HostPort is the node port it binds (0: none). With hostNetwork it is the
	// containerPort unless given.
	HostPort int
	Protocol string // TCP (the default), UDP or SCTP
	HostIP   string
}

// Known fields of the pod spec and its parts (k8s.io/api core/v1).
var (
	podSpecFields = []string{"volumes", "initContainers", "containers", "ephemeralContainers", "restartPolicy",
		"terminationGracePeriodSeconds", "activeDeadlineSeconds", "dnsPolicy", "nodeSelector", "serviceAccountName",
		"serviceAccount", "automountServiceAccountToken", "nodeName", "hostNetwork", "hostPID", "hostIPC",
		"shareProcessNamespace", "securityContext", "imagePullSecrets", "hostname", "subdomain", "affinity",
		"schedulerName", "tolerations", "hostAliases", "priorityClassName", "priority", "dnsConfig", "readinessGates",
		"runtimeClassName", "enableServiceLinks", "preemptionPolicy", "overhead", "topologySpreadConstraints",
		"setHostnameAsFQDN", "os", "hostUsers", "schedulingGates", "resourceClaims", "resources", "hostnameOverride",
		"workloadRef"}
	containerFields = []string{"name", "image", "command", "args", "workingDir", "ports", "envFrom", "env", "resources",
		"resizePolicy", "restartPolicy", "restartPolicyRules", "volumeMounts", "volumeDevices", "livenessProbe",
		"readinessProbe", "startupProbe", "lifecycle", "terminationMessagePath", "terminationMessagePolicy",
		"imagePullPolicy", "securityContext", "stdin", "stdinOnce", "tty"}
	resourcesFields = []string{"limits", "requests", "claims"}
	// securityContextFields are a container's SecurityContext (core/v1);
	// only privileged changes what fleetsim does (Fargate).
	securityContextFields = []string{"capabilities", "privileged", "seLinuxOptions", "windowsOptions", "runAsUser",
		"runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem", "allowPrivilegeEscalation", "procMount",
		"seccompProfile", "appArmorProfile"}
	portFields = []string{"name", "hostPort", "containerPort", "protocol", "hostIP"}
)

// podSpec reads a pod spec; restart lists the restart policies the owner
// allows. An absent spec (already reported) gives the zero PodSpec.
func (r *reader) podSpec(f fields, restart ...string) PodSpec {
	if f.nodes == nil {
		return PodSpec{}
	}
	s := PodSpec{
		RestartPolicy:          r.enum(f, "restartPolicy", Always, Always, OnFailure, Never),
		TerminationGracePeriod: r.seconds(f, "terminationGracePeriodSeconds", 30*time.Second, 0),
		NodeName:               r.str(f, "nodeName"),
		NodeSelector:           r.stringMap(f, "nodeSelector"),
		PriorityClassName:      r.str(f, "priorityClassName"),
		HostNetwork:            r.boolean(f, "hostNetwork"),
	}
	if !slices.Contains(restart, s.RestartPolicy) {
		got := strconv.Quote(s.RestartPolicy)
		if !f.has("restartPolicy") {
			got += " (the default)"
		}
		r.bad(f.path.field("restartPolicy"), f.lineOf("restartPolicy"), oneOf(restart)+" for this workload", got)
	}
	s.InitContainers = r.containers(f, "initContainers", s.HostNetwork)
	s.Containers = r.containers(f, "containers", s.HostNetwork)
	if len(s.Containers) == 0 && !r.reportedUnder(f.path.field("containers")) {
		r.bad(f.path.field("containers"), f.lineOf("containers"), "at least one container", "none")
	}
	r.uniqueNames(f, s)
	r.uniqueHostPorts(f, s.Containers)
	s.Tolerations = r.tolerations(f)
	s.Affinity = r.affinity(f)
	s.TopologySpreadConstraints = r.spreadConstraints(f)
	return s
}

// reportedUnder reports whether a problem was recorded at or below p.
func (r *reader) reportedUnder(p path) bool {
	return slices.ContainsFunc(r.problems, func(pr Problem) bool {
		return pr.Path == string(p) || strings.HasPrefix(pr.Path, string(p)+".") || strings.HasPrefix(pr.Path, string(p)+"[")
	})
}

// containers reads the list field name of f.
func (r *reader) containers(f fields, name string, hostNetwork bool) []Container {
	var out []Container
	for i, n := range r.list(f, name) {
		p := f.path.field(name).index(i)
		cf, ok := r.object(p, n, containerFields)
		if !ok {
			if resolve(n) == nil {
				r.bad(p, n.Line, "a container", "null")
			}
			continue
		}
		out = append(out, r.container(cf, name == "initContainers", hostNetwork))
	}
	return out
}

func (r *reader) container(f fields, init, hostNetwork bool) Container {
	c := Container{
		Name:  r.required(f, "name", "a container name"),
		Image: r.str(f, "image"),
	}
	if init && f.has("restartPolicy") {
		c.Sidecar = r.enum(f, "restartPolicy", "", Always) == Always
	}
	rf, _ := r.sub(f, "resources", resourcesFields)
	req := r.resourceList(rf, "requests")
	lim := r.resourceList(rf, "limits")
	r.requestsWithinLimits(rf, &req, lim)
	c.Requests, c.Limits = req.res, lim.res
	c.Ports = r.ports(f, hostNetwork)
	if f.has("securityContext") {
		sc, _ := r.sub(f, "securityContext", securityContextFields)
		c.Privileged = r.boolean(sc, "privileged")
	}
	return c
}

// quantityAt is one resource of a list as written, for messages.
type quantityAt struct {
	q    Quantity
	line int
	path path
}

// resourceList is a requests or limits mapping read: the values, and each
// named resource as written.
type resourceList struct {
	res Resources
	at  map[string]quantityAt
}

// resourceList reads resources.requests or resources.limits.
func (r *reader) resourceList(f fields, name string) resourceList {
	rl := resourceList{at: map[string]quantityAt{}}
	m, ok := r.sub(f, name, nil)
	if !ok {
		return rl
	}
	for _, k := range m.order {
		p := m.path.field(k)
		if strings.ContainsAny(k, "./") {
			p = m.path.key(k)
		}
		if m.nodes[k] == nil {
			r.bad(p, m.keys[k], "a quantity", "null")
			continue
		}
		q, ok := r.quantity(p, m.nodes[k])
		if !ok {
			continue
		}
		line := m.nodes[k].Line
		if q.Sign() < 0 {
			r.bad(p, line, "a non-negative quantity", q.String())
			continue
		}
		if r.setResource(&rl.res, k, q, p, line) {
			rl.at[k] = quantityAt{q: q, line: line, path: p}
		}
	}
	return rl
}

// setResource stores q as resource name in res; false after a problem.
func (r *reader) setResource(res *Resources, name string, q Quantity, p path, line int) bool {
	value := Quantity.Value
	if name == "cpu" {
		value = Quantity.MilliValue
	}
	v, ok := value(q)
	if !ok {
		r.bad(p, line, "a quantity that fits 64 bits", q.String())
		return false
	}
	switch {
	case name == "cpu":
		res.MilliCPU, res.Given = v, res.Given|CPU
	case name == "memory":
		res.MemoryBytes, res.Given = v, res.Given|Memory
	case name == "ephemeral-storage":
		res.EphemeralBytes, res.Given = v, res.Given|EphemeralStorage
	case strings.HasPrefix(name, "hugepages-"), strings.Contains(name, "/"):
		if strings.Contains(name, "/") {
			if milli, _ := q.MilliValue(); milli%1000 != 0 {
				r.bad(p, line, "a whole number (an extended resource)", q.String())
				return false
			}
		}
		if res.Extended == nil {
			res.Extended = map[string]int64{}
		}
		res.Extended[name] = v
	default:
		r.badHint(p, line, "cpu, memory, ephemeral-storage, hugepages-<size> or a domain-prefixed resource (example.com/gpu)",
			strconv.Quote(name), didYouMean(name, []string{"cpu", "memory", "ephemeral-storage"}))
		return false
	}
	return true
}

// requestsWithinLimits defaults each resource with a limit and no request to
// the limit, and checks that every request is at most its limit.
func (r *reader) requestsWithinLimits(f fields, req *resourceList, lim resourceList) {
	names := []struct {
		name string
		bit  ResourceNames
	}{{"cpu", CPU}, {"memory", Memory}, {"ephemeral-storage", EphemeralStorage}}
	for _, n := range names {
		if !lim.res.Has(n.bit) {
			continue
		}
		limit := resourceValue(lim.res, n.name)
		if !req.res.Has(n.bit) {
			setValue(&req.res, n.name, limit)
			continue
		}
		if got := resourceValue(req.res, n.name); got > limit {
			at := req.at[n.name]
			r.bad(at.path, at.line, "at most the "+n.name+" limit "+lim.at[n.name].q.String(), at.q.String())
		}
	}
	for _, name := range sortedKeys(lim.res.Extended) {
		limit := lim.res.Extended[name]
		got, ok := req.res.Extended[name]
		if !ok {
			if req.res.Extended == nil {
				req.res.Extended = map[string]int64{}
			}
			req.res.Extended[name] = limit
			continue
		}
		if got > limit {
			at := req.at[name]
			r.bad(at.path, at.line, "at most the "+name+" limit "+lim.at[name].q.String(), at.q.String())
		}
	}
}

func resourceValue(res Resources, name string) int64 {
	switch name {
	case "cpu":
		return res.MilliCPU
	case "memory":
		return res.MemoryBytes
	}
	return res.EphemeralBytes
}

func setValue(res *Resources, name string, v int64) {
	switch name {
	case "cpu":
		res.MilliCPU, res.Given = v, res.Given|CPU
	case "memory":
		res.MemoryBytes, res.Given = v, res.Given|Memory
	default:
		res.EphemeralBytes, res.Given = v, res.Given|EphemeralStorage
	}
}

// ports reads a container's ports.
func (r *reader) ports(f fields, hostNetwork bool) []ContainerPort {
	var out []ContainerPort
	for i, n := range r.list(f, "ports") {
		p := f.path.field("ports").index(i)
		pf, ok := r.object(p, n, portFields)
		if !ok {
			continue
		}
		port := ContainerPort{
			Name:     r.str(pf, "name"),
			HostPort: int(r.integer(pf, "hostPort", 0, 0, 65535)),
			Protocol: r.enum(pf, "protocol", "TCP", "TCP", "UDP", "SCTP"),
			HostIP:   r.str(pf, "hostIP"),
		}
		if !pf.has("containerPort") {
			r.bad(p.field("containerPort"), pf.line, "a containerPort from 1 to 65535", "none")
		}
		port.ContainerPort = int(r.integer(pf, "containerPort", 0, 1, 65535))
		if hostNetwork {
			if port.HostPort == 0 {
				port.HostPort = port.ContainerPort
			} else if port.HostPort != port.ContainerPort {
				r.bad(p.field("hostPort"), pf.lineOf("hostPort"), "the containerPort "+strconv.Itoa(port.ContainerPort)+" (hostNetwork)", strconv.Itoa(port.HostPort))
			}
		}
		out = append(out, port)
	}
	return out
}

// uniqueNames checks that no two containers or init containers share a name.
func (r *reader) uniqueNames(f fields, s PodSpec) {
	seen := map[string]bool{}
	for _, list := range []struct {
		name string
		cs   []Container
	}{{"initContainers", s.InitContainers}, {"containers", s.Containers}} {
		for i, c := range list.cs {
			if c.Name != "" && seen[c.Name] {
				r.bad(f.path.field(list.name).index(i).field("name"), f.lineOf(list.name), "a name no other container of the pod has", strconv.Quote(c.Name))
			}
			seen[c.Name] = true
		}
	}
}

// uniqueHostPorts checks that no two ports of the containers bind the same
// host port, protocol and address.
func (r *reader) uniqueHostPorts(f fields, cs []Container) {
	seen := map[string]bool{}
	for i, c := range cs {
		for j, p := range c.Ports {
			if p.HostPort == 0 {
				continue
			}
			key := p.HostIP + "/" + p.Protocol + "/" + strconv.Itoa(p.HostPort)
			if seen[key] {
				r.bad(f.path.field("containers").index(i).field("ports").index(j).field("hostPort"), f.lineOf("containers"),
					"a host port no other container of the pod binds", strconv.Itoa(p.HostPort)+"/"+p.Protocol)
			}
			seen[key] = true
		}
	}
}

// labelsString writes labels sorted: "app=web,tier=front", or "none".
func labelsString(labels map[string]string) string {
	if len(labels) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range sortedKeys(labels) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
