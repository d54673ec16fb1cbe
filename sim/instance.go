package sim

import (
	"github.com/fleetsim/fleetsim/placement"
	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// InstanceStatus is a container instance's status as ECS reports it.
type InstanceStatus uint8

// Container instance statuses.
const (
	InstanceLaunching InstanceStatus = iota // EC2 booting; not registered yet
	InstanceActive
	InstanceDraining
	InstanceDeregistered
)

func (s InstanceStatus) String() string {
	return [...]string{"LAUNCHING", "ACTIVE", "DRAINING", "INACTIVE"}[s]
}

// instance is an EC2 instance and, once registered, its ECS container
// instance.
type instance struct {
	id          string
	typ         catalog.InstanceType
	group       int
	az          int
	status      InstanceStatus
	launched    des.Time
	registered  des.Time
	terminated  des.Time
	purchase    PurchaseOption
	protected   bool                // scale-in protection
	terminating bool                // draining before termination
	spotNoticed bool                // EC2 sent its Spot interruption notice; reclaimed at spotTimer
	handles     [2]placement.Handle // in its group\'s pool, and in the EC2 launch-type pool
	regTimer    des.Timer
	spotTimer   des.Timer // the Spot interruption notice, then the reclaim

	cpuRegistered, memRegistered int64
	cpuFree, memFree             int64
	eniFree                      int
	ports                        []int // static host ports in use
	tasks                        []int32
	imageReady                   []des.Time // per interned image: when its pull completes; 0 = absent
	attrs                        []Attribute
}

// onInstanceRegistered registers the instance's resources and attributes with
// the cluster and offers them to waiting tasks.
func (w *World) onInstanceRegistered(now des.Time, id int32) {
	in := &w.instances[id]
	if in.status != InstanceLaunching {
		return
	}
	g := &w.cfg.Groups[in.group]
	s := &w.cfg.Settings
	w.tally(in, -1)
	defer w.tally(in, 1)
	in.status = InstanceActive
	in.registered = now
	in.cpuRegistered = int64(in.typ.VCPU) * 1024
	in.memRegistered = s.RegisteredMemoryMiB(in.typ)
	in.cpuFree, in.memFree = in.cpuRegistered, in.memRegistered
	in.eniFree = w.eniLimit(in.typ)
	az := g.AvailabilityZones[in.az]
	in.attrs = append([]Attribute{
		{"ecs.ami-id", s.AMIID},
		{"ecs.availability-zone", az},
		{"ecs.cpu-architecture", in.typ.Arch},
		{"ecs.instance-type", in.typ.Name},
		{"ecs.os-family", "LINUX"},
		{"ecs.os-type", "linux"},
		{"ecs.subnet-id", w.subnetFor(az)},
		{"ecs.vpc-id", w.cfg.Cluster.ContainerInstanceVPCID},
	}, g.Attributes...)
	w.rec.instanceEvent(in, schema.InstanceRegistered, "")
	w.poolAdd(id)
	w.schedulePass()
}

// eniLimit is how many awsvpc tasks an instance type can hold: its maximum
// ENIs less the primary one, or the trunked limit when trunking is on.
// AWS (ECS Developer Guide, "Increasing Amazon ECS Linux container instance
// network interfaces").
func (w *World) eniLimit(it catalog.InstanceType) int {
	if w.cfg.Cluster.ENITrunking && it.Trunking {
		if n, ok := trunkedTaskLimit(it); ok {
			return n
		}
	}
	return max(it.MaxENIs-1, 0)
}

// trunkedTaskLimit gives the documented awsvpc task limit with ENI trunking for
// the types AWS lists (shared/aws-semantics.md, "Ports and ENIs").
func trunkedTaskLimit(it catalog.InstanceType) (int, bool) {
	switch it.Size {
	case "large":
		return 10, true
	case "xlarge":
		return 20, true
	case "2xlarge":
		return 40, true
	case "4xlarge":
		return 60, true
	}
	return 0, false
}

func (w *World) subnetFor(az string) string {
	for i, z := range w.cfg.Cluster.AvailabilityZones {
		if z == az && i < len(w.cfg.Cluster.ContainerInstanceSubnets) {
			return w.cfg.Cluster.ContainerInstanceSubnets[i]
		}
	}
	return "subnet-" + az
}

// hasPort reports whether a static host port is taken on the instance.
func (in *instance) hasPort(p int) bool {
	for _, q := range in.ports {
		if q == p {
			return true
		}
	}
	return false
}

// removeTask drops task t from the instance's task list.
func (in *instance) removeTask(t int32) {
	for i, x := range in.tasks {
		if x == t {
			in.tasks = append(in.tasks[:i], in.tasks[i+1:]...)
			return
		}
	}
}
