// Package kube reads Kubernetes manifests (YAML or JSON, several YAML
// documents to a file, v1 Lists) into the plain values fleetsim's EKS world
// runs: Deployments, Jobs, DaemonSets and bare Pods with their pod templates
// (containers and init containers with their requests, limits, images and
// ports; node selectors, tolerations, node and pod (anti-)affinity, topology
// spread constraints, priority class, host network). Other kinds are listed
// as ignored, not rejected.
//
// It reads as the Kubernetes API server would accept the object: the
// defaults are applied (replicas 1, strategy RollingUpdate 25%/25%, Job
// parallelism and backoffLimit, a container's requests from its limits,
// hostNetwork host ports), and what the server's validation would refuse is a
// Problem naming the file, the line, the object, the field path
// (spec.template.spec.containers[0].resources.requests.cpu), what was expected
// and what was found. A field Kubernetes does not define where it stands is a
// warning with a "did you mean". Quantities are parsed exactly
// (ParseQuantity). Each rule's source is cited where it is applied;
// docs/semantics/eks.md lists the rules with their tests.
//
// YAML is read with go.yaml.in/yaml/v3 into its node tree, so that every
// problem has its line. Kubernetes reads YAML through sigs.k8s.io/yaml (a
// YAML 1.1 reader turned into JSON), which differs in a corner: there an
// unquoted yes/no/on/off is a boolean (here, a string). A key given twice is a
// problem here, as kubectl's default --validate=strict makes it (the API
// server alone would keep the last value).
//
// Not read (yet): label and name syntax, volumes, probes, env, pod-level
// resources, overhead, priority values (the EKS world resolves the class),
// extended-resource overcommit rules, StatefulSets, CronJobs, ReplicaSets.
package kube
