package placement

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var benchSizes = []int{100, 1000, 10000}

// benchPool builds n instances (4096 CPU, 16384 MiB) over three zones and two
// instance types, in ID order.
func benchPool(b *testing.B, n int) *Pool {
	p := NewPool()
	zones := []string{"us-east-1a", "us-east-1b", "us-east-1c"}
	types := []string{"m5.xlarge", "c5.xlarge"}
	for i := range n {
		in := inst(fmt.Sprintf("i-%08x", i)).az(zones[i%3]).typ(types[(i/3)%2]).cpu(4096).mem(16384).obj()
		if _, err := p.Add(in); err != nil {
			b.Fatal(err)
		}
	}
	return p
}

// BenchmarkPlace times one Place+Reserve+Release in a steady state: the pool
// is first filled with 2n tasks (untimed), then each placed task releases
// the one placed 2n placements earlier, so every size is measured at about
// two tasks per instance.
func BenchmarkPlace(b *testing.B) {
	cases := []struct {
		name        string
		strategies  []string
		constraints []string
	}{
		{"binpack(memory)", []string{"binpack", "memory"}, nil},
		{"spread(AZ)+binpack(memory)", []string{"spread", "attribute:ecs.availability-zone", "binpack", "memory"}, nil},
		{"memberOf(type)+spread(instanceId)", []string{"spread", "instanceId"}, []string{"attribute:ecs.instance-type == m5.xlarge"}},
	}
	for _, tc := range cases {
		for _, n := range benchSizes {
			b.Run(fmt.Sprintf("%s/n=%d", tc.name, n), func(b *testing.B) {
				p := benchPool(b, n)
				task := Task{CPUUnits: 256, MemoryMiB: 512, Group: "service:web", Strategies: mustStrategies(b, tc.strategies...)}
				for _, e := range tc.constraints {
					task.Constraints = append(task.Constraints, mustMemberOf(b, e))
				}
				s := mustSpec(b, p, task)
				r := rand.New(rand.NewPCG(1, uint64(n)))
				ring := make([]Handle, 2*n)
				for i := range ring {
					ring[i] = NoHandle
				}
				i := 0
				step := func() {
					d := p.Place(s, r)
					if d.Chosen == NoHandle {
						b.Fatalf("nothing placed: %s", d.Summary())
					}
					if old := ring[i]; old != NoHandle {
						_ = p.Release(old, s)
					}
					_ = p.Reserve(d.Chosen, s)
					ring[i] = d.Chosen
					i = (i + 1) % len(ring)
				}
				for range len(ring) {
					step()
				}
				b.ReportAllocs()
				for b.Loop() {
					step()
				}
			})
		}
	}
}

// BenchmarkPlace100kOn10k places 100,000 tasks one by one onto 10,000
// instances with spread(AZ)+binpack(memory), building the pool each round
// (included in the time), and reports the time per task.
func BenchmarkPlace100kOn10k(b *testing.B) {
	const tasks, n = 100_000, 10_000
	b.ReportAllocs()
	for b.Loop() {
		p := benchPool(b, n)
		s := mustSpec(b, p, Task{CPUUnits: 256, MemoryMiB: 1024, Group: "service:web",
			Strategies: mustStrategies(b, "spread", "attribute:ecs.availability-zone", "binpack", "memory")})
		for range tasks {
			d := p.Place(s, nil)
			if d.Chosen == NoHandle {
				b.Fatalf("nothing placed: %s", d.Summary())
			}
			if err := p.Reserve(d.Chosen, s); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tasks), "ns/task")
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/100k")
}
