package placement

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// MaxStrategies and MaxConstraints are ECS's limits per task or service.
// AWS (ECS API Reference, CreateService/RunTask): "You can specify a maximum
// of 5 strategy rules"; "You can specify up to 10 constraints".
const (
	MaxStrategies  = 5
	MaxConstraints = 10
)

// StrategyKind is a placement strategy type.
type StrategyKind uint8

// The strategy types of task-placement-strategies.html.
const (
	RandomStrategy StrategyKind = iota + 1
	SpreadStrategy
	BinpackStrategy
)

// Strategy is one placement strategy. Field is "cpu" or "memory" for binpack,
// "instanceId" (or its synonym "host") or "attribute:NAME" for spread, and
// unused for random.
type Strategy struct {
	Kind  StrategyKind
	Field string
}

// ConstraintKind is a placement constraint type.
type ConstraintKind uint8

// The constraint types of task-placement-constraints.html.
const (
	DistinctInstanceConstraint ConstraintKind = iota + 1
	MemberOfConstraint
)

// Constraint is one placement constraint; Expr is set for memberOf only.
type Constraint struct {
	Kind ConstraintKind
	Expr *Expr
}

// DefaultServiceStrategies is the chain sim uses for a service given no
// strategy. AWS (ECS Developer Guide, "Update Amazon ECS service parameters",
// update-service-parameters.html): the service scheduler sorts valid instances
// by fewest tasks of the service in their Availability Zone, then places on
// the instance with the fewest tasks of the service in the chosen zone.
func DefaultServiceStrategies() []Strategy {
	return []Strategy{{SpreadStrategy, "attribute:ecs.availability-zone"}, {SpreadStrategy, "instanceId"}}
}

// DefaultRunTaskStrategies is the chain for a standalone task given no
// strategy: random. AWS (task-placement-strategies.html: "standalone tasks
// ... placed randomly"; see also aws-semantics.md "Task placement").
func DefaultRunTaskStrategies() []Strategy { return []Strategy{{Kind: RandomStrategy}} }

// Task is what NewSpec needs to know about the tasks of one task definition
// and group. CPU and memory are the task's totals as ECS reserves them.
type Task struct {
	CPUUnits     int32
	MemoryMiB    int32
	HostPorts    []uint16 // static host ports: bridge hostPort != 0, host-mode container ports
	DynamicPorts int32    // bridge mappings with hostPort 0: taken from the ephemeral range
	NeedsENI     bool     // awsvpc: one ENI per task
	GPUs         int32    // physical GPUs the task reserves (resourceRequirements GPU)
	Group        string   // "service:web", "family:etl"
	Constraints  []Constraint
	Strategies   []Strategy // empty: first instance in ID order that fits
}

// Spec is a Task bound to a Pool: group, attribute and expression values
// interned, indexes the strategies need created. Build it once per task
// definition and group and reuse it for every task.
type Spec struct {
	// What Choose reads of every spec, in its first cache line: with a
	// thousand services' specs a placement would otherwise miss on two or
	// three lines of its spec before it looks at an instance.
	pool     *Pool
	failVer  uint64 // memo, valid while the pool's version is unchanged: Choose found nothing
	plan     plan
	cpu, mem int32
	group    int32
	eni      bool
	bare     bool // no ports, GPUs or constraints: cpu, mem and eni are all a check reads
	part     *partition
	strats   []boundStrategy

	ports  []uint16 // sorted
	dyn    int32
	gpus   int32
	cons   []boundConstraint
	keyed  int     // strategies before the first random
	random bool    // a random strategy ends the keyed chain
	sub    *subset // the instances its static memberOf constraints allow; nil: all

	// The reasons Explain counted, valid while the pool's version is
	// unchanged (explVer).
	explVer uint64
	expl    Decision
}

type boundConstraint struct {
	kind ConstraintKind
	expr *boundExpr
}

// boundStrategy: attr is the spread attribute's name id, -1 for instanceId.
type boundStrategy struct {
	kind  StrategyKind
	res   resource
	attr  int32
	table *spreadTable
}

// NewSpec validates t and binds it to the pool. Errors name every problem.
func (p *Pool) NewSpec(t Task) (*Spec, error) {
	if err := validateTask(t); err != nil {
		return nil, err
	}
	s := &Spec{pool: p, cpu: t.CPUUnits, mem: t.MemoryMiB, dyn: t.DynamicPorts, eni: t.NeedsENI, gpus: t.GPUs,
		group: p.groups.id(t.Group), ports: slices.Sorted(slices.Values(t.HostPorts))}
	for _, c := range t.Constraints {
		bc := boundConstraint{kind: c.Kind}
		if c.Kind == MemberOfConstraint {
			bc.expr = p.boundFor(c.Expr)
		}
		s.cons = append(s.cons, bc)
	}
	s.keyed = len(t.Strategies)
	for i, st := range t.Strategies {
		bs := p.bindStrategy(st, s.group)
		if bs.kind == RandomStrategy && !s.random {
			s.keyed, s.random = i, true
		}
		s.strats = append(s.strats, bs)
	}
	s.bare = s.dyn == 0 && s.gpus == 0 && len(s.ports) == 0 && len(s.cons) == 0
	s.sub = p.subsetFor(s, t)
	p.planFor(s)
	return s, nil
}

func (s *Spec) mustBelong(p *Pool) {
	if s.pool != p {
		panic("placement: Spec used with a Pool it was not made by")
	}
}

func validateTask(t Task) error {
	var errs []error
	if t.CPUUnits < 0 || t.MemoryMiB < 0 || t.DynamicPorts < 0 || t.GPUs < 0 {
		errs = append(errs, fmt.Errorf("placement: negative CPU, memory, dynamic port or GPU count"))
	}
	ports := slices.Sorted(slices.Values(t.HostPorts))
	for i, port := range ports {
		if port == 0 {
			errs = append(errs, fmt.Errorf("placement: static host port 0 (pass dynamic ports as DynamicPorts)"))
		} else if i > 0 && ports[i-1] == port {
			errs = append(errs, fmt.Errorf("placement: host port %d given twice", port))
		}
	}
	errs = append(errs, ValidateStrategies(t.Strategies))
	errs = append(errs, ValidateConstraints(t.Constraints))
	return errors.Join(errs...)
}

// ValidateStrategies reports every problem in a chain: unknown type, binpack
// field other than cpu/memory, spread field other than instanceId, host or
// attribute:NAME, more than MaxStrategies.
func ValidateStrategies(ss []Strategy) error {
	var errs []error
	if len(ss) > MaxStrategies {
		errs = append(errs, fmt.Errorf("placement: %d strategies, at most %d allowed", len(ss), MaxStrategies))
	}
	for i, st := range ss {
		if err := validateStrategy(st); err != nil {
			errs = append(errs, fmt.Errorf("placement: strategy %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

func validateStrategy(st Strategy) error {
	switch st.Kind {
	case RandomStrategy:
		return nil
	case BinpackStrategy:
		if st.Field != "cpu" && st.Field != "memory" {
			return fmt.Errorf("binpack field %q: want cpu or memory", st.Field)
		}
	case SpreadStrategy:
		name, isAttr := strings.CutPrefix(st.Field, "attribute:")
		if st.Field != "instanceId" && st.Field != "host" && (!isAttr || name == "") {
			return fmt.Errorf("spread field %q: want instanceId, host or attribute:NAME", st.Field)
		}
	default:
		return fmt.Errorf("unknown strategy type %d", st.Kind)
	}
	return nil
}

// ValidateConstraints reports every problem: unknown type, memberOf without
// an expression, distinctInstance with one, more than MaxConstraints.
func ValidateConstraints(cs []Constraint) error {
	var errs []error
	if len(cs) > MaxConstraints {
		errs = append(errs, fmt.Errorf("placement: %d constraints, at most %d allowed", len(cs), MaxConstraints))
	}
	for i, c := range cs {
		var err error
		switch {
		case c.Kind == MemberOfConstraint && c.Expr == nil:
			err = fmt.Errorf("memberOf needs an expression")
		case c.Kind == DistinctInstanceConstraint && c.Expr != nil:
			err = fmt.Errorf("distinctInstance takes no expression")
		case c.Kind != MemberOfConstraint && c.Kind != DistinctInstanceConstraint:
			err = fmt.Errorf("unknown constraint type %d", c.Kind)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("placement: constraint %d: %w", i+1, err))
		}
	}
	return errors.Join(errs...)
}

// ParseStrategy builds a Strategy from ECS's JSON words ("binpack", "memory").
func ParseStrategy(typ, field string) (Strategy, error) {
	kinds := map[string]StrategyKind{"random": RandomStrategy, "spread": SpreadStrategy, "binpack": BinpackStrategy}
	k, ok := kinds[typ]
	if !ok {
		return Strategy{}, fmt.Errorf("placement: unknown strategy type %q: want random, spread or binpack", typ)
	}
	st := Strategy{Kind: k, Field: field}
	if err := validateStrategy(st); err != nil {
		return Strategy{}, fmt.Errorf("placement: %w", err)
	}
	return st, nil
}

// ParseConstraint builds a Constraint from ECS's JSON words ("memberOf",
// expression); the expression error keeps its column (*SyntaxError).
func ParseConstraint(typ, expression string) (Constraint, error) {
	switch typ {
	case "distinctInstance":
		if expression != "" {
			return Constraint{}, fmt.Errorf("placement: distinctInstance takes no expression, got %q", expression)
		}
		return Constraint{Kind: DistinctInstanceConstraint}, nil
	case "memberOf":
		if expression == "" {
			return Constraint{}, fmt.Errorf("placement: memberOf needs an expression")
		}
		e, err := ParseExpression(expression)
		if err != nil {
			return Constraint{}, fmt.Errorf("placement: memberOf %q: %w", expression, err)
		}
		return Constraint{Kind: MemberOfConstraint, Expr: e}, nil
	}
	return Constraint{}, fmt.Errorf("placement: unknown constraint type %q: want distinctInstance or memberOf", typ)
}
