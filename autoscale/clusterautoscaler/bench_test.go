package clusterautoscaler

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkScan is one scan of a cluster of 1,000 nodes in 4 groups, each
// running 6 pods of 500m (a utilization of 0.75: every node is checked,
// none is a candidate) and 100 nodes at 0.25 (candidates whose pods must be
// placed), with 500 pods pending: the cost of a scan interval.
func BenchmarkScan(b *testing.B) {
	var groups []Group
	for g := range 4 {
		groups = append(groups, group(string(rune('a'+g)), 0, 1000, 275, node(4000, 16384)))
	}
	var nodes []Node
	for i := range 1100 {
		n := Node{ID: int32(i), Group: i % 4, Allocatable: node(4000, 16384), Pods: pods(6, pod(500, 1024))}
		if i >= 1000 {
			n.Pods = pods(2, pod(500, 1024))
		}
		nodes = append(nodes, n)
	}
	pending := pods(500, pod(1000, 2048))
	cfg := Defaults()
	a, err := New(&cfg, 4, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		a.lastScaleUp = never
		s := snap(time.Duration(i)*10*time.Second, groups, nodes, pending)
		a.Scan(s)
		s.Pending = nil
		a.Scan(s)
	}
}
