package kube

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// ports builds a pod with one container per "PROTO/IP/PORT", as kube's
// node_ports_test.go newPod does.
func ports(name string, specs ...string) *podB {
	b := pod(name)
	for _, s := range specs {
		parts := strings.Split(s, "/")
		port, _ := strconv.Atoi(parts[2])
		b.hostPort(Protocol(parts[0]), parts[1], int32(port))
	}
	return b
}

func TestNodePortsFilter(t *testing.T) {
	// kube's node_ports_test.go TestNodePorts (v1.37.2).
	cases := []struct {
		name     string
		pod      *podB
		existing *podB
		want     Status
	}{
		{"skip filter", pod("m1"), ports("e", "UDP/127.0.0.1/8080"), fits},
		{"other port", ports("m1", "UDP/127.0.0.1/8080"), ports("e", "UDP/127.0.0.1/9090"), fits},
		{"same udp port", ports("m1", "UDP/127.0.0.1/8080"), ports("e", "UDP/127.0.0.1/8080"), unsched(ReasonNodePorts)},
		{"same tcp port", ports("m1", "TCP/127.0.0.1/8080"), ports("e", "TCP/127.0.0.1/8080"), unsched(ReasonNodePorts)},
		{"different host ip", ports("m1", "TCP/127.0.0.1/8080"), ports("e", "TCP/127.0.0.2/8080"), fits},
		{"different protocol", ports("m1", "UDP/127.0.0.1/8080"), ports("e", "TCP/127.0.0.1/8080"), fits},
		{"second udp port conflict", ports("m1", "UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"), ports("e", "UDP/127.0.0.1/8080"), unsched(ReasonNodePorts)},
		{"first tcp port conflict", ports("m1", "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"), ports("e", "TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081"), unsched(ReasonNodePorts)},
		{"first tcp port conflict due to 0.0.0.0 hostIP", ports("m1", "TCP/0.0.0.0/8001"), ports("e", "TCP/127.0.0.1/8001"), unsched(ReasonNodePorts)},
		{"TCP hostPort conflict due to 0.0.0.0 hostIP", ports("m1", "TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"), ports("e", "TCP/127.0.0.1/8001"), unsched(ReasonNodePorts)},
		{"second tcp port conflict to 0.0.0.0 hostIP", ports("m1", "TCP/127.0.0.1/8001"), ports("e", "TCP/0.0.0.0/8001"), unsched(ReasonNodePorts)},
		{"second different protocol", ports("m1", "UDP/127.0.0.1/8001"), ports("e", "TCP/0.0.0.0/8001"), fits},
		{"UDP hostPort conflict due to 0.0.0.0 hostIP", ports("m1", "UDP/127.0.0.1/8001"), ports("e", "TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001"), unsched(ReasonNodePorts)},
		{"an empty host IP is 0.0.0.0 and an empty protocol TCP", ports("m1", "/127.0.0.1/8001"), ports("e", "TCP//8001"), unsched(ReasonNodePorts)},
		{"non-sidecar initContainer using hostPort", pod("m1").container(Container{}), ports("e", "TCP/0.0.0.0/8001"), fits},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := clusterOf(t, nodes(node("n")), on("n", tc.existing))
			assert.Equal(t, []Status{tc.want}, runFilter(t, c, NodePorts{}, mustPodInfo(t, c, tc.pod.obj())))
		})
	}
}

func TestNodePortsCountSidecarsNotInitContainers(t *testing.T) {
	c := clusterOf(t, nodes(node("n")), on("n", ports("e", "TCP/0.0.0.0/8001")))
	hp := []HostPort{{Port: 8001}}
	initOnly := pod("init").obj()
	initOnly.InitContainers = []Container{{Name: "i", HostPorts: hp}}
	sidecar := pod("sidecar").obj()
	sidecar.InitContainers = []Container{{Name: "s", HostPorts: hp, Sidecar: true}}
	assert.Equal(t, []Status{fits}, runFilter(t, c, NodePorts{}, mustPodInfo(t, c, initOnly)), "non-sidecar initContainer using hostPort")
	assert.Equal(t, []Status{unsched(ReasonNodePorts)}, runFilter(t, c, NodePorts{}, mustPodInfo(t, c, sidecar)), "TCP hostPort conflict from sidecar initContainer")

	// Unbinding frees the port.
	assert.NoError(t, c.Unbind("default", "e"))
	assert.Equal(t, []Status{fits}, runFilter(t, c, NodePorts{}, mustPodInfo(t, c, sidecar)))
}
