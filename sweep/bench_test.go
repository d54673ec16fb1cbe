package sweep

import (
	"fmt"
	"testing"

	"github.com/fleetsim/fleetsim/scenarios"
)

// BenchmarkSweep is a sweep of the default scenario (a simulated day, one
// variant, benchRuns seeds) on one worker and on two: runs/s is the
// throughput, and j=2 over j=1 is what a second core buys (the issue asks
// for at least 1.8). The runs simulate only: no plots, no report per run.
// Each worker count's rows must be the same.
//
//	go test -run '^$' -bench Sweep -benchtime 3x -count 5 ./sweep/ | tee sweep.txt
func BenchmarkSweep(b *testing.B) {
	const benchRuns = 20
	sc, readRel, err := Resolve(scenarios.DefaultName)
	if err != nil {
		b.Fatal(err)
	}
	p, err := NewPlan(Spec{Base: sc, ReadRel: readRel, Seeds: benchRuns})
	if err != nil {
		b.Fatal(err)
	}
	runs := p.RunsOf(Shard{0, 1})
	var first string // the rows at -j 1, printed (an SLO-less run's NaN is not equal to itself)
	for _, j := range []int{1, 2} {
		b.Run(fmt.Sprintf("j=%d", j), func(b *testing.B) {
			var rows []Row
			for b.Loop() {
				if rows, err = Execute(p, runs, Options{Workers: j}); err != nil {
					b.Fatal(err)
				}
			}
			got := fmt.Sprintf("%+v", rows)
			if first == "" {
				first = got
			} else if got != first {
				b.Fatalf("the rows at -j %d differ from those at -j 1", j)
			}
			b.ReportMetric(float64(len(runs))*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
		})
	}
}
