package placement

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Handle names a candidate instance in a Pool. Handles are small and dense;
// a removed instance's handle is reused by a later Add.
type Handle int32

// NoHandle is the Handle of no instance: Decision.Chosen when nothing fits.
const NoHandle Handle = -1

// Attribute is a container instance attribute, built-in (ecs.availability-zone,
// ecs.instance-type, ecs.ami-id, ecs.os-type, ecs.os-family,
// ecs.cpu-architecture, ecs.vpc-id, ecs.subnet-id) or custom. AWS (ECS
// Developer Guide, "Amazon ECS container instance attributes",
// task-placement-constraints.html#attributes).
type Attribute struct {
	Name, Value string
}

// Instance is what sim tells the Pool about one container instance.
type Instance struct {
	ID            string      // EC2 instance ID, "i-0a1b..."; the stable tie-break order
	Attributes    []Attribute // any order; names must be unique
	CPUUnits      int32       // registered minus reserved
	MemoryMiB     int32       // registered minus reserved
	FreeENIs      int32       // awsvpc tasks it can still take: max ENIs - 1, or the trunked limit
	ReservedPorts []uint16    // host ports never available to tasks, see LinuxReservedPorts
	RegisteredAt  time.Time
	AgentVersion  string // "1.14.5"; empty when unknown (agentVersion conditions are then false)
	Disconnected  bool   // agentConnected == false
	Active        bool   // false: DRAINING or INACTIVE, never a placement target
}

// LinuxReservedPorts returns the host ports the ECS agent reserves on Linux by
// default. AWS (ECS Developer Guide, "Amazon ECS container agent
// configuration", ECS_RESERVED_PORTS): [22, 2375, 2376, 51678, 51679].
func LinuxReservedPorts() []uint16 { return []uint16{22, 2375, 2376, 51678, 51679} }

// candidate is the Pool's view of one instance. Hot fields first.
type candidate struct {
	live, active, connected, verOK bool
	rank                           int32 // position in Pool.order
	cpu, mem, enis, dynPorts       int32
	running                        int32
	gen                            uint32 // bumped on every Add into this slot
	idVal                          int32  // interned instance ID
	regAt                          int64  // Unix seconds
	ver                            version
	attrs                          []int32 // value id by attribute-name id; 0 = absent
	ports                          []uint16
	groups                         []groupCount
	id                             string
}

type groupCount struct{ group, n int32 }

func (c *candidate) attr(name int32) int32 {
	if name < 0 || int(name) >= len(c.attrs) {
		return 0
	}
	return c.attrs[name]
}

func (c *candidate) groupCount(g int32) int32 {
	for _, gc := range c.groups {
		if gc.group == g {
			return gc.n
		}
	}
	return 0
}

func (c *candidate) addGroup(g, d int32) {
	for i := range c.groups {
		if c.groups[i].group == g {
			c.groups[i].n += d
			if c.groups[i].n == 0 {
				c.groups = slices.Delete(c.groups, i, i+1)
			}
			return
		}
	}
	c.groups = append(c.groups, groupCount{g, d})
}

// Pool is the set of candidate container instances of one cluster, kept in
// sync incrementally by sim (Add, Remove, SetActive, Reserve, Release) so
// that Place never rebuilds anything per call. It holds the indexes the
// strategies use: instances in instance-ID order, per-attribute buckets with
// instances sorted by remaining CPU or memory, and per-group task counts per
// attribute value. A Pool is not safe for concurrent use.
type Pool struct {
	cands  []candidate
	free   []Handle
	order  []Handle // live handles by instance ID
	byID   map[string]Handle
	names  interner // attribute names
	values interner // attribute values and instance IDs; id 0 = absent
	groups interner // task groups
	parts  []*partition
	tables []*spreadTable
	byGrp  [][]*spreadTable // spread tables by group id
	ties   []Handle         // scratch: random ties
	eq     []Handle         // scratch: binpack ties
	vals   []int32          // scratch: spread values
}

// NewPool returns an empty Pool.
func NewPool() *Pool {
	return &Pool{byID: map[string]Handle{}, names: newInterner(0), values: newInterner(1), groups: newInterner(0)}
}

// Len returns the number of instances in the pool.
func (p *Pool) Len() int { return len(p.order) }

// InstanceID returns the ID of the instance behind h.
func (p *Pool) InstanceID(h Handle) string { return p.live(h).id }

// Remaining returns what the instance behind h has left.
func (p *Pool) Remaining(h Handle) (cpuUnits, memoryMiB, freeENIs int32) {
	c := p.live(h)
	return c.cpu, c.mem, c.enis
}

// RunningTasks returns runningTasksCount of the instance behind h.
func (p *Pool) RunningTasks(h Handle) int32 { return p.live(h).running }

func (p *Pool) live(h Handle) *candidate {
	if h < 0 || int(h) >= len(p.cands) || !p.cands[h].live {
		panic(fmt.Sprintf("placement: no instance with handle %d", h))
	}
	return &p.cands[h]
}

// Add puts an instance in the pool and returns its handle. Cost O(n) (the
// ID order and the sorted indexes shift), paid once per instance.
func (p *Pool) Add(in Instance) (Handle, error) {
	c, err := p.newCandidate(in)
	if err != nil {
		return NoHandle, err
	}
	h := Handle(len(p.cands))
	if n := len(p.free); n > 0 {
		h, p.free = p.free[n-1], p.free[:n-1]
		c.gen = p.cands[h].gen + 1
		p.cands[h] = c
	} else {
		c.gen = 1
		p.cands = append(p.cands, c)
	}
	i, _ := slices.BinarySearchFunc(p.order, in.ID, func(o Handle, id string) int { return strings.Compare(p.cands[o].id, id) })
	p.order = slices.Insert(p.order, i, h)
	p.renumber(i)
	p.byID[in.ID] = h
	for _, part := range p.parts {
		part.insert(p, h)
	}
	return h, nil
}

func (p *Pool) newCandidate(in Instance) (candidate, error) {
	if in.ID == "" {
		return candidate{}, fmt.Errorf("placement: instance with empty ID")
	}
	if _, dup := p.byID[in.ID]; dup {
		return candidate{}, fmt.Errorf("placement: instance %q added twice", in.ID)
	}
	if in.CPUUnits < 0 || in.MemoryMiB < 0 || in.FreeENIs < 0 {
		return candidate{}, fmt.Errorf("placement: instance %q: negative CPU, memory or ENIs", in.ID)
	}
	c := candidate{live: true, active: in.Active, connected: !in.Disconnected, cpu: in.CPUUnits,
		mem: in.MemoryMiB, enis: in.FreeENIs, regAt: in.RegisteredAt.Unix(), id: in.ID, idVal: p.values.id(in.ID)}
	c.ver, c.verOK = parseVersion(in.AgentVersion)
	for _, a := range in.Attributes {
		n := p.names.id(a.Name)
		for int(n) >= len(c.attrs) {
			c.attrs = append(c.attrs, 0)
		}
		if c.attrs[n] != 0 {
			return candidate{}, fmt.Errorf("placement: instance %q: attribute %q given twice", in.ID, a.Name)
		}
		c.attrs[n] = p.values.id(a.Value)
	}
	c.ports = slices.Clone(in.ReservedPorts)
	slices.Sort(c.ports)
	c.ports = slices.Compact(c.ports)
	return c, nil
}

// renumber sets rank for order[from:].
func (p *Pool) renumber(from int) {
	for i := from; i < len(p.order); i++ {
		p.cands[p.order[i]].rank = int32(i)
	}
}

// Remove takes the instance out of the pool with its tasks: the group counts
// lose them, so sim need not Release them first. Its handle may be reused.
func (p *Pool) Remove(h Handle) {
	c := p.live(h)
	for _, part := range p.parts {
		part.remove(p, h)
	}
	for _, gc := range c.groups {
		for _, t := range p.tablesOf(gc.group) {
			t.add(c.attr(t.attr), -gc.n)
		}
	}
	i := int(c.rank)
	p.order = slices.Delete(p.order, i, i+1)
	p.renumber(i)
	delete(p.byID, c.id)
	gen := c.gen
	p.cands[h] = candidate{gen: gen}
	p.free = append(p.free, h)
}

// SetActive marks the instance ACTIVE (true) or DRAINING/INACTIVE (false).
// Tasks on an inactive instance still count for spread and distinctInstance.
func (p *Pool) SetActive(h Handle, active bool) {
	p.live(h).active = active
	p.touch(h)
}

// Reserve records that a task of s runs on h: CPU, memory, static ports, an
// ENI, runningTasksCount and the group counts. It refuses (error, no change)
// a task that does not fit the instance's resources; constraints are not
// checked, so sim may restore a state ECS reached by other means.
func (p *Pool) Reserve(h Handle, s *Spec) error {
	c := p.live(h)
	s.mustBelong(p)
	if r := fitResources(c, s); r != Fits {
		return fmt.Errorf("placement: reserve on %s: %s", c.id, r)
	}
	p.setResource(h, resCPU, c.cpu-s.cpu)
	p.setResource(h, resMemory, c.mem-s.mem)
	reservePorts(c, s)
	p.touch(h)
	c.running++
	c.addGroup(s.group, 1)
	for _, t := range p.tablesOf(s.group) {
		t.add(c.attr(t.attr), 1)
	}
	return nil
}

// Release undoes one Reserve of s on h. It refuses (error, no change) when
// no task of s's group is recorded there or its ports are not in use.
func (p *Pool) Release(h Handle, s *Spec) error {
	c := p.live(h)
	s.mustBelong(p)
	if c.groupCount(s.group) == 0 {
		return fmt.Errorf("placement: release on %s: no task of group %q", c.id, p.groups.str(s.group))
	}
	if !holdsPorts(c, s) {
		return fmt.Errorf("placement: release on %s: ports %v not in use", c.id, s.ports)
	}
	p.setResource(h, resCPU, c.cpu+s.cpu)
	p.setResource(h, resMemory, c.mem+s.mem)
	releasePorts(c, s)
	p.touch(h)
	c.running--
	c.addGroup(s.group, -1)
	for _, t := range p.tablesOf(s.group) {
		t.add(c.attr(t.attr), -1)
	}
	return nil
}

// setResource stores a new remaining amount, moving h in the sorted indexes.
func (p *Pool) setResource(h Handle, r resource, v int32) {
	c := &p.cands[h]
	old := c.resource(r)
	if old == v {
		return
	}
	for _, part := range p.parts {
		if part.keep[r] {
			part.move(p, h, r, old, v)
		}
	}
	if r == resCPU {
		c.cpu = v
	} else {
		c.mem = v
	}
}

func (c *candidate) resource(r resource) int32 {
	if r == resCPU {
		return c.cpu
	}
	return c.mem
}

// interner maps strings to small dense ids so that the hot path compares
// ints. Lookups happen on Add and NewSpec only.
type interner struct {
	ids  map[string]int32
	strs []string
}

func newInterner(first int) interner {
	return interner{ids: map[string]int32{}, strs: make([]string, first)}
}

func (in *interner) id(s string) int32 {
	if id, ok := in.ids[s]; ok {
		return id
	}
	id := int32(len(in.strs))
	in.ids[s] = id
	in.strs = append(in.strs, s)
	return id
}

func (in *interner) str(id int32) string { return in.strs[id] }
