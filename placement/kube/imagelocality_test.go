package kube

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestImageLocalityScore(t *testing.T) {
	// kube's image_locality_test.go TestImageLocalityPriority (v1.37.2); the
	// image volume row is left out (image volumes are not modelled).
	n403002000 := func(name string) *nodeB {
		return node(name).image(40*mb, "gcr.io/40:latest", "gcr.io/40:v1", "gcr.io/40:v1").
			image(300*mb, "gcr.io/300:latest", "gcr.io/300:v1").image(2000*mb, "gcr.io/2000:latest")
	}
	n25010 := func(name string) *nodeB {
		return node(name).image(250*mb, "gcr.io/250:latest").image(10*mb, "gcr.io/10:latest", "gcr.io/10:v1")
	}
	n60040900 := func(name string) *nodeB {
		return node(name).image(600*mb, "gcr.io/600:latest").image(40*mb, "gcr.io/40:latest").image(900*mb, "gcr.io/900:latest")
	}
	n300600900 := func(name string) *nodeB {
		return node(name).image(300*mb, "gcr.io/300:latest").image(600*mb, "gcr.io/600:latest").image(900*mb, "gcr.io/900:latest")
	}
	n400030 := func(name string) *nodeB {
		return node(name).image(4000*mb, "gcr.io/4000:latest").image(30*mb, "gcr.io/30:latest")
	}
	n203040 := func(name string) *nodeB {
		return node(name).image(20*mb, "gcr.io/20:latest").image(30*mb, "gcr.io/30:latest").image(40*mb, "gcr.io/40:latest")
	}
	cases := []struct {
		name  string
		pod   *podB
		nodes []Node
		want  []int64
	}{
		{"two images spread on two nodes, prefer the larger image one: 0 (40M/2 < 23M) and 100*(250M/2 - 23M)/(2000M - 23M) = 5",
			pod("p").image("gcr.io/40", "gcr.io/250"), nodes(n403002000("node1"), n25010("node2")), []int64{0, 5}},
		{"two images on one node, prefer this node: 100*((40M + 300M)/2 - 23M)/(2000M - 23M) = 7",
			pod("p").image("gcr.io/40", "gcr.io/300"), nodes(n403002000("node1"), n25010("node2")), []int64{7, 0}},
		{"if exceed limit, use limit: 4000M/2 >= 2000M -> 100",
			pod("p").image("gcr.io/10", "gcr.io/4000"), nodes(n400030("node1"), n25010("node2")), []int64{100, 0}},
		{"if exceed limit, use limit (with node which has no images present): 100*(4000M/3 - 23M)/(2000M - 23M) = 66",
			pod("p").image("gcr.io/10", "gcr.io/4000"), nodes(n400030("node1"), n25010("node2"), node("node3")), []int64{66, 0, 0}},
		{"pod with multiple large images, node2 is preferred: 32 and 100*(300M/3 + 600M*2/3 + 900M*2/3 - 23M)/(3000M - 23M) = 36",
			pod("p").image("gcr.io/300", "gcr.io/600", "gcr.io/900"), nodes(n60040900("node1"), n300600900("node2"), node("node3")), []int64{32, 36, 0}},
		{"pod with multiple small images: 100*(30M + 40M/2 - 23M)/(2000M - 23M) = 1",
			pod("p").image("gcr.io/30", "gcr.io/40"), nodes(n203040("node1"), n400030("node2")), []int64{1, 0}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, tc.nodes)
			got, _ := runScore(t, c, &ImageLocality{}, mustPodInfo(t, c, tc.pod.obj()))
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestImageLocalityCountsInitContainers(t *testing.T) {
	// kube's "pod with init container image": gcr.io/30 (app) and gcr.io/300
	// (init) count as two images: 100*(300M*1/2 - 23M)/(2000M - 23M) = 6.
	c := clusterOf(t, nodes(node("node1").image(300*mb, "gcr.io/300:latest"), node("node2").image(30*mb, "gcr.io/30:latest")))
	p := pod("p").image("gcr.io/30").obj()
	p.InitContainers = []Container{{Name: "init", Image: "gcr.io/300"}}
	got, _ := runScore(t, c, &ImageLocality{}, mustPodInfo(t, c, p))
	assert.Equal(t, []int64{6, 0}, got)
}
