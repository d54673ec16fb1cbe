package awsimport

import (
	"slices"
	"strings"
)

// Kind is what an input document is, by the command that printed it.
type Kind string

// The documents Import reads, each found by its top-level key.
const (
	Clusters           Kind = "ecs describe-clusters"
	Services           Kind = "ecs describe-services"
	TaskDefinition     Kind = "ecs describe-task-definition"
	CapacityProviders  Kind = "ecs describe-capacity-providers"
	ContainerInstances Kind = "ecs describe-container-instances"
	AutoScalingGroups  Kind = "autoscaling describe-auto-scaling-groups"
	GroupPolicies      Kind = "autoscaling describe-policies"
	ScalableTargets    Kind = "application-autoscaling describe-scalable-targets"
	ScalingPolicies    Kind = "application-autoscaling describe-scaling-policies"
	ScheduledActions   Kind = "application-autoscaling describe-scheduled-actions"
	MetricAlarms       Kind = "cloudwatch describe-alarms"
	MetricData         Kind = "cloudwatch get-metric-data"
	MetricStatistics   Kind = "cloudwatch get-metric-statistics"
)

// detectors map a top-level key to its document, in the order they are
// tried (a describe-task-definition output has no other of these keys).
var detectors = []struct {
	key  string
	kind Kind
}{
	{"clusters", Clusters},
	{"services", Services},
	{"taskDefinition", TaskDefinition},
	{"capacityProviders", CapacityProviders},
	{"containerInstances", ContainerInstances},
	{"AutoScalingGroups", AutoScalingGroups},
	{"ScalableTargets", ScalableTargets},
	{"ScalingPolicies", ScalingPolicies},
	{"ScheduledActions", ScheduledActions},
	{"MetricAlarms", MetricAlarms},
	{"MetricDataResults", MetricData},
	{"Datapoints", MetricStatistics},
}

// detectKeys names the keys detect looks for, for messages.
func detectKeys() string {
	var ks []string
	for _, d := range detectors {
		ks = append(ks, d.key)
	}
	return strings.Join(ks, ", ")
}

// detect says what root is. Application Auto Scaling and EC2 Auto Scaling
// both print "ScalingPolicies": EC2 Auto Scaling's name their group
// (AutoScalingGroupName). A register-task-definition input (the definition
// itself, with containerDefinitions) is a task definition too.
func detect(root *value) (Kind, bool) {
	if root.kind != kObject {
		return "", false
	}
	for _, d := range detectors {
		v, ok := root.obj[d.key]
		if !ok {
			continue
		}
		if d.kind == ScalingPolicies && v.kind == kArray && slices.ContainsFunc(v.arr, func(e *value) bool {
			_, group := e.obj["AutoScalingGroupName"]
			return e.kind == kObject && group
		}) {
			return GroupPolicies, true
		}
		return d.kind, true
	}
	if _, ok := root.obj["containerDefinitions"]; ok {
		return TaskDefinition, true
	}
	return "", false
}

// Detect reads one document and says which AWS CLI output it is; the error
// is a Problems list naming the file and line.
func Detect(file string, data []byte) (Kind, error) {
	root, err := readJSON(file, data)
	if err != nil {
		return "", err
	}
	k, ok := detect(root)
	if !ok {
		return "", Problems{unknownDocument(file, root)}
	}
	return k, nil
}

func unknownDocument(file string, root *value) Problem {
	got := root.kind.String()
	if root.kind == kObject {
		ks := root.keys
		if len(ks) > 5 {
			ks = append(slices.Clone(ks[:5]), "...")
		}
		got = "an object with keys " + strings.Join(ks, ", ")
		if len(root.keys) == 0 {
			got = "an empty object"
		}
	}
	return Problem{File: file, Line: root.line, Want: "an AWS CLI output with one of the top-level keys " + detectKeys(), Got: got}
}
