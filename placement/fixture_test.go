package placement

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// instB builds an Instance for tests: inst("i-1").az("us-east-1a").mem(2048).obj().
type instB struct{ in Instance }

func inst(id string) *instB {
	return &instB{Instance{ID: id, CPUUnits: 4096, MemoryMiB: 8192, FreeENIs: 2, Active: true,
		RegisteredAt: time.Date(2018, 6, 18, 22, 28, 28, 0, time.UTC), AgentVersion: "1.20.0"}}
}

func (b *instB) attr(name, value string) *instB {
	b.in.Attributes = append(b.in.Attributes, Attribute{name, value})
	return b
}
func (b *instB) az(z string) *instB    { return b.attr("ecs.availability-zone", z) }
func (b *instB) typ(t string) *instB   { return b.attr("ecs.instance-type", t) }
func (b *instB) cpu(n int32) *instB    { b.in.CPUUnits = n; return b }
func (b *instB) mem(n int32) *instB    { b.in.MemoryMiB = n; return b }
func (b *instB) enis(n int32) *instB   { b.in.FreeENIs = n; return b }
func (b *instB) agent(v string) *instB { b.in.AgentVersion = v; return b }
func (b *instB) inactive() *instB      { b.in.Active = false; return b }
func (b *instB) registered(t time.Time) *instB {
	b.in.RegisteredAt = t
	return b
}
func (b *instB) obj() Instance { return b.in }

// poolOf adds the instances in the order given and returns their handles.
func poolOf(t testing.TB, ins ...Instance) (*Pool, []Handle) {
	t.Helper()
	p := NewPool()
	hs := make([]Handle, len(ins))
	for i, in := range ins {
		h, err := p.Add(in)
		require.NoError(t, err)
		hs[i] = h
	}
	return p, hs
}

func mustSpec(t testing.TB, p *Pool, task Task) *Spec {
	t.Helper()
	s, err := p.NewSpec(task)
	require.NoError(t, err)
	return s
}

func mustStrategies(t testing.TB, pairs ...string) []Strategy {
	t.Helper()
	var out []Strategy
	for i := 0; i+1 < len(pairs); i += 2 {
		st, err := ParseStrategy(pairs[i], pairs[i+1])
		require.NoError(t, err)
		out = append(out, st)
	}
	return out
}

func mustMemberOf(t testing.TB, expr string) Constraint {
	t.Helper()
	c, err := ParseConstraint("memberOf", expr)
	require.NoError(t, err)
	return c
}

// placeN places and reserves n tasks of s, returning the instance IDs chosen.
func placeN(t testing.TB, p *Pool, s *Spec, n int, r *rand.Rand) []string {
	t.Helper()
	var ids []string
	for range n {
		d := p.Place(s, r)
		if d.Chosen == NoHandle {
			ids = append(ids, "-")
			continue
		}
		require.NoError(t, p.Reserve(d.Chosen, s))
		ids = append(ids, p.InstanceID(d.Chosen))
	}
	return ids
}
