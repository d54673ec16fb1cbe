package placement

import (
	"fmt"
	"slices"
	"strings"
)

// TaskExplanation is one task's placement laid out instance by instance, in
// ECS's order (task-placement-strategies.html): the resources each instance
// has left against what the task needs, each constraint's verdict, and, for
// the instances that pass, each strategy's key and the rank the chain gives
// them. It is plain data for explain.json and the report.
type TaskExplanation struct {
	// Constraints and Strategies are the task's, as ECS writes them:
	// "distinctInstance", "memberOf(attribute:ecs.instance-type =~ 't3.*')";
	// "spread(attribute:ecs.availability-zone)", "binpack(memory)", "random".
	Constraints []string  `json:"constraints,omitempty"`
	Strategies  []string  `json:"strategies,omitempty"`
	Needs       TaskNeeds `json:"needs"`
	// Considered counts the active instances, Feasible those that pass
	// every check; Rejected counts the others by the first check each
	// failed, in check order (the counts of Decision.Rejected).
	Considered int           `json:"considered"`
	Feasible   int           `json:"feasible"`
	Rejected   []ReasonCount `json:"rejected,omitempty"`
	// Instances are every instance of the pool in ID order, inactive ones
	// included.
	Instances []InstanceVerdict `json:"instances"`
	// Best are the feasible instances the chain ranks first: one, or the
	// ones a random strategy draws among. Chosen is the instance placement
	// chose (the caller's decision), "" when none fits.
	Best   []string `json:"best,omitempty"`
	Chosen string   `json:"chosen,omitempty"`
}

// TaskNeeds is what the task reserves on an instance.
type TaskNeeds struct {
	CPUUnits     int32    `json:"cpu_units"`
	MemoryMiB    int32    `json:"memory_mib"`
	HostPorts    []uint16 `json:"host_ports,omitempty"`
	DynamicPorts int32    `json:"dynamic_ports,omitempty"`
	ENI          bool     `json:"eni,omitempty"`
	GPUs         int32    `json:"gpus,omitempty"`
}

// ReasonCount is how many instances one reason rejected.
type ReasonCount struct {
	Reason    string `json:"reason"`
	Instances int    `json:"instances"`
}

// InstanceVerdict is one instance's part in a placement.
type InstanceVerdict struct {
	Instance string `json:"instance"`
	Active   bool   `json:"active"`
	// CPUUnits, MemoryMiB and FreeENIs are what it has left before the task.
	CPUUnits  int32 `json:"cpu_units"`
	MemoryMiB int32 `json:"memory_mib"`
	FreeENIs  int32 `json:"free_enis"`
	// Resources is "fits" or the first resource short (Reason's wording,
	// "RESOURCE:MEMORY"); Lacks says by how much.
	Resources string `json:"resources"`
	Lacks     string `json:"lacks,omitempty"`
	// Constraints holds every constraint's verdict, in the task's order,
	// whatever the resources said.
	Constraints []ConstraintVerdict `json:"constraints,omitempty"`
	// RejectedBy is the first check it failed: "inactive", the resource or
	// the constraint (with its expression); "" when it is feasible.
	RejectedBy string `json:"rejected_by,omitempty"`
	Feasible   bool   `json:"feasible"`
	// Keys are the strategies' keys before the first random one, lower
	// first; Rank is the instance's place in the chain's order (1 first:
	// keys, then ID order), 0 when not feasible.
	Keys []StrategyKey `json:"keys,omitempty"`
	Rank int           `json:"rank,omitempty"`
}

// ConstraintVerdict is one constraint's answer on one instance.
type ConstraintVerdict struct {
	Constraint string `json:"constraint"`
	Satisfied  bool   `json:"satisfied"`
}

// StrategyKey is one strategy's key for one instance, lower ranks first:
// binpack's is the resource left after the task; spread's the tasks of the
// task's group counted with the instance's Value of the field (the
// attribute's value, or the instance for instanceId).
type StrategyKey struct {
	Strategy string `json:"strategy"`
	Value    string `json:"value,omitempty"`
	Key      int64  `json:"key"`
}

// ExplainTask lays out how the pool sees a task of s, t being the Task s
// was made from (it gives the constraints' expressions), and chosen the
// handle the placement chose (NoHandle for none). It reads the pool as it
// stands and changes nothing that decides a placement (only the memo
// caches of regular expressions fill), so call it before Reserve. Cost:
// every check on every instance, O(instances x constraints).
func (p *Pool) ExplainTask(s *Spec, t Task, chosen Handle) TaskExplanation {
	s.mustBelong(p)
	ex := TaskExplanation{Needs: TaskNeeds{CPUUnits: s.cpu, MemoryMiB: s.mem, HostPorts: slices.Clone(s.ports),
		DynamicPorts: s.dyn, ENI: s.eni, GPUs: s.gpus}}
	for _, c := range t.Constraints {
		ex.Constraints = append(ex.Constraints, constraintWords(c))
	}
	for _, st := range t.Strategies {
		ex.Strategies = append(ex.Strategies, strategyWords(st))
	}
	var rejected [NumReasons]int
	var feasible []int // indexes into ex.Instances
	var keys []keyVec
	for _, h := range p.order {
		c := &p.cands[h]
		iv := p.verdict(s, ex.Constraints, c)
		if c.active {
			ex.Considered++
			if r := p.check(h, c, s); r != Fits {
				rejected[r]++
			}
		}
		if iv.Feasible {
			var k keyVec
			for i := range s.keyed {
				k[i] = p.key(s, i, c)
				iv.Keys = append(iv.Keys, StrategyKey{Strategy: ex.Strategies[i], Value: p.spreadValue(s, i, c), Key: k[i]})
			}
			feasible, keys = append(feasible, len(ex.Instances)), append(keys, k)
		}
		ex.Instances = append(ex.Instances, iv)
	}
	for r := ReasonCPU; r < NumReasons; r++ {
		if rejected[r] > 0 {
			ex.Rejected = append(ex.Rejected, ReasonCount{r.String(), rejected[r]})
		}
	}
	ex.Feasible = len(feasible)
	ex.rank(s, feasible, keys)
	if chosen != NoHandle {
		ex.Chosen = p.live(chosen).id
	}
	return ex
}

// rank orders the feasible instances by (keys, ID order), the chain's
// order, and names the best: the first, or all tied with it on the keys
// when a random strategy draws among them.
func (ex *TaskExplanation) rank(s *Spec, feasible []int, keys []keyVec) {
	order := make([]int, len(feasible))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return compareKeys(keys[a], keys[b], 0, s.keyed) })
	for r, i := range order {
		ex.Instances[feasible[i]].Rank = r + 1
		if r == 0 || s.random && compareKeys(keys[i], keys[order[0]], 0, s.keyed) == 0 {
			ex.Best = append(ex.Best, ex.Instances[feasible[i]].Instance)
		}
	}
}

// verdict checks one instance: resources, then every constraint, as check
// does, but going on past the first "no" to give each verdict.
func (p *Pool) verdict(s *Spec, names []string, c *candidate) InstanceVerdict {
	iv := InstanceVerdict{Instance: c.id, Active: c.active, CPUUnits: c.cpu, MemoryMiB: c.mem, FreeENIs: c.enis}
	r := fitResources(c, s)
	iv.Resources, iv.Lacks = r.String(), lacks(r, c, s)
	if !c.active {
		iv.RejectedBy = "inactive (DRAINING)"
	} else if r != Fits {
		iv.RejectedBy = r.String()
	}
	for i := range s.cons {
		bc := &s.cons[i]
		ok := distinctInstance(c, s)
		if bc.kind == MemberOfConstraint {
			ok = bc.expr.root.eval(p, c) // not memberOf: its cache stays as it was
		}
		iv.Constraints = append(iv.Constraints, ConstraintVerdict{names[i], ok})
		if !ok && iv.RejectedBy == "" {
			iv.RejectedBy = names[i]
		}
	}
	iv.Feasible = iv.RejectedBy == ""
	return iv
}

// lacks says how short of resource r the instance is.
func lacks(r Reason, c *candidate, s *Spec) string {
	switch r {
	case ReasonCPU:
		return fmt.Sprintf("needs %d CPU units, %d left", s.cpu, c.cpu)
	case ReasonMemory:
		return fmt.Sprintf("needs %d MiB, %d MiB left", s.mem, c.mem)
	case ReasonENI:
		return "needs an ENI, none free"
	case ReasonGPU:
		return fmt.Sprintf("needs %d GPUs, %d free", s.gpus, c.gpus)
	case ReasonPorts:
		for _, port := range s.ports {
			if _, used := slices.BinarySearch(c.ports, port); used {
				return fmt.Sprintf("host port %d in use", port)
			}
		}
		return fmt.Sprintf("needs %d ephemeral ports, %d in use", s.dyn, c.dynPorts)
	}
	return ""
}

// spreadValue is the value a spread strategy counts the instance under:
// the attribute's value ("" when absent), or the instance for instanceId;
// "" for binpack.
func (p *Pool) spreadValue(s *Spec, i int, c *candidate) string {
	st := &s.strats[i]
	switch {
	case st.kind != SpreadStrategy:
		return ""
	case st.table == nil:
		return c.id
	}
	if v := c.attr(st.attr); v != 0 {
		return p.values.str(v)
	}
	return ""
}

// constraintWords writes a constraint as ECS does: its type, and for
// memberOf its expression in canonical form.
func constraintWords(c Constraint) string {
	if c.Kind == MemberOfConstraint && c.Expr != nil {
		return "memberOf(" + c.Expr.String() + ")"
	}
	return "distinctInstance"
}

// strategyWords writes a strategy as ECS's type(field).
func strategyWords(st Strategy) string {
	switch st.Kind {
	case BinpackStrategy:
		return "binpack(" + st.Field + ")"
	case SpreadStrategy:
		return "spread(" + st.Field + ")"
	}
	return "random"
}

// Summary says in a line where the task went and why: "placed on i-2,
// first of the 3 instances that fit (4 active) by binpack(memory)", or the
// reasons none fitted.
func (ex *TaskExplanation) Summary() string {
	if ex.Chosen == "" {
		parts := make([]string, len(ex.Rejected))
		for i, r := range ex.Rejected {
			parts[i] = fmt.Sprintf("%s %d", r.Reason, r.Instances)
		}
		return fmt.Sprintf("not placed: 0 of %d instances fit (%s)", ex.Considered, strings.Join(parts, ", "))
	}
	how := "in ID order"
	if len(ex.Strategies) > 0 {
		how = "by " + strings.Join(ex.Strategies, ", then ")
	}
	if len(ex.Strategies) > 0 && ex.Strategies[0] == "random" {
		return fmt.Sprintf("placed on %s, drawn at random among the %d instances that fit (%d active)", ex.Chosen, ex.Feasible, ex.Considered)
	}
	if len(ex.Best) > 1 {
		return fmt.Sprintf("placed on %s, drawn among the %d tied first of the %d instances that fit (%d active) %s", ex.Chosen, len(ex.Best), ex.Feasible, ex.Considered, how)
	}
	return fmt.Sprintf("placed on %s, first of the %d instances that fit (%d active) %s", ex.Chosen, ex.Feasible, ex.Considered, how)
}
