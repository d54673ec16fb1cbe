package kubecompare

import (
	"fmt"

	v1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"

	"github.com/fleetsim/fleetsim/placement/kube"
)

// The converters turn fleetsim's views into the API objects kube-scheduler
// reads, field by field, so both sides see the same cluster.

func effect(e kube.TaintEffect) v1.TaintEffect { return v1.TaintEffect(e.String()) }

func v1Node(n kube.Node) *v1.Node {
	alloc := v1.ResourceList{
		v1.ResourceCPU:              *resource.NewMilliQuantity(n.Allocatable.MilliCPU, resource.DecimalSI),
		v1.ResourceMemory:           *resource.NewQuantity(n.Allocatable.MemoryBytes, resource.BinarySI),
		v1.ResourceEphemeralStorage: *resource.NewQuantity(n.Allocatable.EphemeralBytes, resource.BinarySI),
		v1.ResourcePods:             *resource.NewQuantity(n.AllowedPods, resource.DecimalSI),
	}
	out := &v1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: n.Name, Labels: n.Labels, UID: types.UID("node-" + n.Name)},
		Spec:       v1.NodeSpec{Unschedulable: n.Unschedulable},
		Status:     v1.NodeStatus{Allocatable: alloc, Capacity: alloc},
	}
	for _, t := range n.Taints {
		out.Spec.Taints = append(out.Spec.Taints, v1.Taint{Key: t.Key, Value: t.Value, Effect: effect(t.Effect)})
	}
	for _, im := range n.Images {
		out.Status.Images = append(out.Status.Images, v1.ContainerImage{Names: im.Names, SizeBytes: im.SizeBytes})
	}
	return out
}

func v1Container(c kube.Container, init bool) v1.Container {
	req := v1.ResourceList{}
	if c.Requests.MilliCPU > 0 || c.ZeroCPU {
		req[v1.ResourceCPU] = *resource.NewMilliQuantity(c.Requests.MilliCPU, resource.DecimalSI)
	}
	if c.Requests.MemoryBytes > 0 || c.ZeroMemory {
		req[v1.ResourceMemory] = *resource.NewQuantity(c.Requests.MemoryBytes, resource.BinarySI)
	}
	if c.Requests.EphemeralBytes > 0 {
		req[v1.ResourceEphemeralStorage] = *resource.NewQuantity(c.Requests.EphemeralBytes, resource.BinarySI)
	}
	out := v1.Container{Name: c.Name, Image: c.Image, Resources: v1.ResourceRequirements{Requests: req}}
	for _, hp := range c.HostPorts {
		out.Ports = append(out.Ports, v1.ContainerPort{ContainerPort: hp.Port, HostPort: hp.Port, Protocol: v1.Protocol(hp.Protocol), HostIP: hp.HostIP})
	}
	if init && c.Sidecar {
		out.RestartPolicy = ptr.To(v1.ContainerRestartPolicyAlways)
	}
	return out
}

var opNames = map[kube.SelectorOperator]string{
	kube.OpIn: "In", kube.OpNotIn: "NotIn", kube.OpExists: "Exists", kube.OpDoesNotExist: "DoesNotExist", kube.OpGt: "Gt", kube.OpLt: "Lt",
}

func v1NodeTerm(t kube.NodeSelectorTerm) v1.NodeSelectorTerm {
	var out v1.NodeSelectorTerm
	for _, r := range t.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, v1.NodeSelectorRequirement{Key: r.Key, Operator: v1.NodeSelectorOperator(opNames[r.Operator]), Values: r.Values})
	}
	return out
}

func v1LabelSelector(s *kube.LabelSelector) *metav1.LabelSelector {
	if s == nil {
		return nil
	}
	out := &metav1.LabelSelector{MatchLabels: s.MatchLabels}
	for _, r := range s.MatchExpressions {
		out.MatchExpressions = append(out.MatchExpressions, metav1.LabelSelectorRequirement{Key: r.Key, Operator: metav1.LabelSelectorOperator(opNames[r.Operator]), Values: r.Values})
	}
	return out
}

func v1PodAffinityTerm(t kube.PodAffinityTerm) v1.PodAffinityTerm {
	return v1.PodAffinityTerm{LabelSelector: v1LabelSelector(t.LabelSelector), Namespaces: t.Namespaces, TopologyKey: t.TopologyKey}
}

func v1PodAffinityTerms(r *kube.PodAffinityRules) (req []v1.PodAffinityTerm, pref []v1.WeightedPodAffinityTerm) {
	for _, t := range r.Required {
		req = append(req, v1PodAffinityTerm(t))
	}
	for _, t := range r.Preferred {
		pref = append(pref, v1.WeightedPodAffinityTerm{Weight: t.Weight, PodAffinityTerm: v1PodAffinityTerm(t.Term)})
	}
	return req, pref
}

func policy(p kube.InclusionPolicy) *v1.NodeInclusionPolicy {
	switch p {
	case kube.PolicyHonor:
		return ptr.To(v1.NodeInclusionPolicyHonor)
	case kube.PolicyIgnore:
		return ptr.To(v1.NodeInclusionPolicyIgnore)
	}
	return nil
}

func v1Pod(p kube.Pod, nodeName string) *v1.Pod {
	out := &v1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels, UID: types.UID(p.Namespace + "/" + p.Name)},
		Spec:       v1.PodSpec{NodeName: nodeName, NodeSelector: p.NodeSelector, Priority: ptr.To(p.Priority)},
	}
	for _, c := range p.InitContainers {
		out.Spec.InitContainers = append(out.Spec.InitContainers, v1Container(c, true))
	}
	for _, c := range p.Containers {
		out.Spec.Containers = append(out.Spec.Containers, v1Container(c, false))
	}
	if o := p.Overhead; o != (kube.Resources{}) {
		out.Spec.Overhead = v1.ResourceList{
			v1.ResourceCPU:    *resource.NewMilliQuantity(o.MilliCPU, resource.DecimalSI),
			v1.ResourceMemory: *resource.NewQuantity(o.MemoryBytes, resource.BinarySI),
		}
	}
	for _, t := range p.Tolerations {
		op := v1.TolerationOpEqual
		if t.Operator == kube.TolerationExists {
			op = v1.TolerationOpExists
		}
		out.Spec.Tolerations = append(out.Spec.Tolerations, v1.Toleration{Key: t.Key, Operator: op, Value: t.Value, Effect: effect(t.Effect)})
	}
	aff := &v1.Affinity{}
	if a := p.NodeAffinity; a != nil {
		aff.NodeAffinity = &v1.NodeAffinity{}
		if len(a.Required) > 0 {
			sel := &v1.NodeSelector{}
			for _, t := range a.Required {
				sel.NodeSelectorTerms = append(sel.NodeSelectorTerms, v1NodeTerm(t))
			}
			aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution = sel
		}
		for _, t := range a.Preferred {
			aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution = append(aff.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution,
				v1.PreferredSchedulingTerm{Weight: t.Weight, Preference: v1NodeTerm(t.Preference)})
		}
	}
	if a := p.PodAffinity; a != nil {
		req, pref := v1PodAffinityTerms(a)
		aff.PodAffinity = &v1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	if a := p.PodAntiAffinity; a != nil {
		req, pref := v1PodAffinityTerms(a)
		aff.PodAntiAffinity = &v1.PodAntiAffinity{RequiredDuringSchedulingIgnoredDuringExecution: req, PreferredDuringSchedulingIgnoredDuringExecution: pref}
	}
	if aff.NodeAffinity != nil || aff.PodAffinity != nil || aff.PodAntiAffinity != nil {
		out.Spec.Affinity = aff
	}
	for _, c := range p.TopologySpreadConstraints {
		when := v1.DoNotSchedule
		if c.WhenUnsatisfiable == kube.ScheduleAnyway {
			when = v1.ScheduleAnyway
		}
		tc := v1.TopologySpreadConstraint{MaxSkew: c.MaxSkew, TopologyKey: c.TopologyKey, WhenUnsatisfiable: when,
			LabelSelector: v1LabelSelector(c.LabelSelector), NodeAffinityPolicy: policy(c.NodeAffinityPolicy), NodeTaintsPolicy: policy(c.NodeTaintsPolicy)}
		if c.MinDomains > 0 {
			tc.MinDomains = ptr.To(c.MinDomains)
		}
		out.Spec.TopologySpreadConstraints = append(out.Spec.TopologySpreadConstraints, tc)
	}
	return out
}

// service is the Service whose selector kube-scheduler's DefaultSelector
// finds for pods labelled app=value in namespace ns: the cluster-default
// spreading's selector, which fleetsim takes as Pod.DefaultSpreadSelector.
func service(ns, value string) *v1.Service {
	return &v1.Service{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprint("svc-", value), Namespace: ns},
		Spec: v1.ServiceSpec{Selector: map[string]string{"app": value}}}
}
