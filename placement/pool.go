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
	GPUs          int32       // physical GPUs not reserved by a task (resources.go)
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
	rank                           int32  // position in Pool.order
	label                          uint64 // increasing in Pool.order, kept when others come and go (order.go)
	cpu, mem, enis, dynPorts       int32
	gpus                           int32 // unreserved GPUs
	running                        int32
	gen                            uint32  // bumped on every Add into this slot
	idVal                          int32   // interned instance ID
	regAt                          int64   // Unix seconds
	attrs                          []int32 // value id by attribute-name id; 0 = absent
	groups                         groupCounts
	ports                          []uint16
	ver                            version
	id                             string
}

type groupCount struct{ group, n int32 }

// groupCounts is an instance's running tasks by group, in the order the
// groups came: the first two in the record itself (a Reserve or Release
// then reads no other allocation for them; most instances run tasks of
// one or two groups), the rest beside it.
type groupCounts struct {
	first [2]groupCount
	n     int32 // entries held
	more  []groupCount
}

func (gs *groupCounts) len() int { return int(gs.n) }

func (gs *groupCounts) at(i int) *groupCount {
	if i < len(gs.first) {
		return &gs.first[i]
	}
	return &gs.more[i-len(gs.first)]
}

func (gs *groupCounts) add(gc groupCount) {
	if int(gs.n) < len(gs.first) {
		gs.first[gs.n] = gc
	} else {
		gs.more = append(gs.more, gc)
	}
	gs.n++
}

// del removes entry i, keeping the others' order.
func (gs *groupCounts) del(i int) {
	for j := i; j+1 < int(gs.n); j++ {
		*gs.at(j) = *gs.at(j + 1)
	}
	gs.n--
	if int(gs.n) >= len(gs.first) {
		gs.more = gs.more[:len(gs.more)-1]
	} else {
		gs.first[gs.n] = groupCount{}
	}
}

func (c *candidate) attr(name int32) int32 {
	if name < 0 || int(name) >= len(c.attrs) {
		return 0
	}
	return c.attrs[name]
}

func (c *candidate) groupCount(g int32) int32 {
	if i := c.groupIndex(g); i >= 0 {
		return c.groups.at(i).n
	}
	return 0
}

func (c *candidate) addGroup(g, d int32) {
	if i := c.groupIndex(g); i >= 0 {
		c.addGroupAt(i, d)
		return
	}
	c.groups.add(groupCount{g, d})
}

// groupIndex is the position of g in c.groups, -1 when c runs none.
func (c *candidate) groupIndex(g int32) int {
	gs := &c.groups
	for i := range min(int(gs.n), len(gs.first)) {
		if gs.first[i].group == g {
			return i
		}
	}
	for i := range gs.more {
		if gs.more[i].group == g {
			return len(gs.first) + i
		}
	}
	return -1
}

func (c *candidate) addGroupAt(i int, d int32) {
	gc := c.groups.at(i)
	gc.n += d
	if gc.n == 0 {
		c.groups.del(i)
	}
}

// Pool is the set of candidate container instances of one cluster, kept in
// sync incrementally by sim (Add, Remove, SetActive, Reserve, Release) so
// that Place never rebuilds anything per call. It holds the indexes the
// strategies use (index.go, order.go): instances in instance-ID order;
// partitions of them (all, or the subset a static memberOf allows) by an
// attribute's value, whose buckets keep orders by remaining CPU or memory
// (binpack), by a group's tasks (spread(instanceId)) or by ID alone
// (scans), each with run summaries that let a search skip what cannot fit;
// and per-group task counts per attribute value (spread(attribute)). A
// Pool is not safe for concurrent use.
type Pool struct {
	cands   []candidate
	free    []Handle
	order   []Handle // live handles by instance ID
	byID    map[string]Handle
	names   interner // attribute names
	values  interner // attribute values and instance IDs; id 0 = absent
	groups  interner // task groups
	parts   []*partition
	subsets []*subset
	bound   map[string]*boundExpr // bound memberOf expressions by canonical form (boundFor)
	tasks   []int32               // by group id: the group's tasks in the pool
	tables  []*spreadTable
	byGrp   [][]*spreadTable // spread tables by group id
	ties    []Handle         // scratch: random ties
	eq      []Handle         // scratch: binpack ties
	vals    []int32          // scratch: spread values
	// ver counts the changes to the instances (Add, Remove, SetActive,
	// Reserve, Release): a search that found nothing, and the reasons it
	// found, hold until it moves (Spec.failVer, Spec.explVer).
	ver uint64
}

// NewPool returns an empty Pool.
func NewPool() *Pool {
	return &Pool{byID: map[string]Handle{}, names: newInterner(0), values: newInterner(1), groups: newInterner(0), ver: 1}
}

// Grow makes room for n more instances without copying the pool's arrays
// as they are added: sim calls it with the size of the fleet it starts
// with.
func (p *Pool) Grow(n int) {
	if n > 0 {
		p.cands = slices.Grow(p.cands, n)
		p.order = slices.Grow(p.order, n)
	}
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
	p.ver++
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
	p.label(i)
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
	if in.CPUUnits < 0 || in.MemoryMiB < 0 || in.FreeENIs < 0 || in.GPUs < 0 {
		return candidate{}, fmt.Errorf("placement: instance %q: negative CPU, memory, ENIs or GPUs", in.ID)
	}
	c := candidate{live: true, active: in.Active, connected: !in.Disconnected, cpu: in.CPUUnits,
		mem: in.MemoryMiB, enis: in.FreeENIs, gpus: in.GPUs, regAt: in.RegisteredAt.Unix(), id: in.ID, idVal: p.values.id(in.ID)}
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

// labelGap spaces the labels of instances added in ID order (EC2's IDs
// grow, so an instance usually goes last).
const labelGap = 1 << 32

// label gives order[i] a label between its neighbours', relabelling every
// instance when there is no room between them.
func (p *Pool) label(i int) {
	var lo, hi uint64
	if i > 0 {
		lo = p.cands[p.order[i-1]].label
	}
	if i+1 < len(p.order) {
		hi = p.cands[p.order[i+1]].label
	} else {
		hi = lo + 2*labelGap
	}
	if hi-lo < 2 {
		p.relabel()
		return
	}
	p.cands[p.order[i]].label = lo + (hi-lo)/2
}

// relabel spaces every label again, in every order too.
func (p *Pool) relabel() {
	for j, h := range p.order {
		p.cands[h].label = uint64(j+1) * labelGap
	}
	p.eachOrderOf(func(o *order) { o.relabel(p) })
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
	p.ver++
	for _, part := range p.parts {
		part.remove(p, h)
	}
	for i := range c.groups.len() {
		gc := *c.groups.at(i)
		for _, t := range p.tablesOf(gc.group) {
			t.add(c.attr(t.attr), -gc.n)
		}
		p.addGroupTasks(gc.group, -gc.n)
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
	p.ver++
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
	p.ver++
	cpu, mem, n := c.cpu, c.mem, int32(0)
	if gi := c.groupIndex(s.group); gi >= 0 {
		gc := c.groups.at(gi)
		n = gc.n
		gc.n++
	} else {
		c.groups.add(groupCount{s.group, 1})
	}
	p.addGroupTasks(s.group, 1)
	c.cpu, c.mem = c.cpu-s.cpu, c.mem-s.mem
	reservePorts(c, s)
	c.running++
	p.reindex(h, cpu, mem, s.group, n)
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
	gi := c.groupIndex(s.group)
	if gi < 0 {
		return fmt.Errorf("placement: release on %s: no task of group %q", c.id, p.groups.str(s.group))
	}
	if !holdsPorts(c, s) {
		return fmt.Errorf("placement: release on %s: ports %v not in use", c.id, s.ports)
	}
	p.ver++
	cpu, mem, n := c.cpu, c.mem, c.groups.at(gi).n
	c.cpu, c.mem = c.cpu+s.cpu, c.mem+s.mem
	releasePorts(c, s)
	c.running--
	c.addGroupAt(gi, -1)
	p.addGroupTasks(s.group, -1)
	p.reindex(h, cpu, mem, s.group, n)
	for _, t := range p.tablesOf(s.group) {
		t.add(c.attr(t.attr), -1)
	}
	return nil
}

// reindex brings h's entries up to date after a Reserve or Release that
// changed its CPU from cpu, its memory from mem and its count of group g
// from n: an order whose key changed moves h, the others refresh its free
// resources. (The old flat index moved h by CPU, then by memory, then
// recomputed h's summaries; the blocks it recomputed are the ones the
// moves and refreshes here mark exact: order.legacy.)
func (p *Pool) reindex(h Handle, cpu, mem int32, g, n int32) {
	c := &p.cands[h]
	for _, part := range p.parts {
		if !part.has(h) {
			continue
		}
		b := part.bucketOf(p, h)
		for r, old := range [2]int32{cpu, mem} {
			if !part.keep[r] {
				continue
			}
			if v := c.resource(resource(r)); v != old {
				b.byRes[r].move(p, h, old, v)
			} else {
				b.byRes[r].refresh(p, h, v)
			}
		}
		if part.rank {
			b.byRank.refresh(p, h, 0)
		}
		for gi, o := range b.byGroup {
			if part.groups[gi] == g {
				o.move(p, h, n, c.groupCount(g))
			} else {
				o.refresh(p, h, c.groupCount(part.groups[gi]))
			}
		}
	}
}

func (c *candidate) resource(r resource) int32 {
	if r == resCPU {
		return c.cpu
	}
	return c.mem
}

// groupTasks is how many tasks of group g the pool holds.
func (p *Pool) groupTasks(g int32) int32 {
	if int(g) < len(p.tasks) {
		return p.tasks[g]
	}
	return 0
}

func (p *Pool) addGroupTasks(g, d int32) {
	for int(g) >= len(p.tasks) {
		p.tasks = append(p.tasks, 0)
	}
	p.tasks[g] += d
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
