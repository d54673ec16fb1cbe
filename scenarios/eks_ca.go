package scenarios

import (
	"fmt"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fleetsim/fleetsim/autoscale/clusterautoscaler"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// caSchema is [eks.cluster_autoscaler]: the Cluster Autoscaler's command
// line flags, each as a snake_case key with the flag's default
// (cluster-autoscaler/FAQ.md, "What are the parameters to CA?"), and a
// manifest whose Deployment's container command gives them instead (the
// keys here override it). docs/semantics/eks-cluster-autoscaler.md lists
// every key, its flag, default, source and test.
type caSchema struct {
	// Manifest is a Kubernetes manifest holding the Cluster Autoscaler's
	// Deployment (cluster-autoscaler-autodiscover.yaml and the like): the
	// flags of its cluster-autoscaler container are read.
	Manifest string `toml:"manifest"`
	// ScanInterval is --scan-interval: how often the cluster is reevaluated (10s).
	ScanInterval *Duration `toml:"scan_interval" min:"1s" max:"1h"`
	// Expander is --expander: random, most-pods, least-waste (the default), least-nodes, price or priority, several comma-separated to chain them.
	Expander string `toml:"expander"`
	// Priorities is the priority expander's ConfigMap (cluster-autoscaler-priority-expander): required with expander priority.
	Priorities []caPrioritySchema `toml:"priorities" maxitems:"1000"`
	// MaxNodesTotal is --max-nodes-total: the most nodes in all node groups (0, the default: no limit).
	MaxNodesTotal *int `toml:"max_nodes_total" max:"1000000"`
	// BalanceSimilarNodeGroups is --balance-similar-node-groups: split scale-ups among similar node groups (false).
	BalanceSimilarNodeGroups *bool `toml:"balance_similar_node_groups"`
	// ScaleDownEnabled is --scale-down-enabled (true).
	ScaleDownEnabled *bool `toml:"scale_down_enabled"`
	// ScaleDownUtilizationThreshold is --scale-down-utilization-threshold: max(cpu, memory) requests over allocatable below which a node may go (0.5).
	ScaleDownUtilizationThreshold *float64 `toml:"scale_down_utilization_threshold" min:"0" max:"1" why:"a share of allocatable"`
	// ScaleDownUnneededTime is --scale-down-unneeded-time: how long a node is unneeded before it goes (10m).
	ScaleDownUnneededTime *Duration `toml:"scale_down_unneeded_time" min:"0s" max:"8784h"`
	// ScaleDownDelayAfterAdd is --scale-down-delay-after-add (10m).
	ScaleDownDelayAfterAdd *Duration `toml:"scale_down_delay_after_add" min:"0s" max:"8784h"`
	// ScaleDownDelayAfterDelete is --scale-down-delay-after-delete (0s).
	ScaleDownDelayAfterDelete *Duration `toml:"scale_down_delay_after_delete" min:"0s" max:"8784h"`
	// ScaleDownDelayAfterFailure is --scale-down-delay-after-failure (3m).
	ScaleDownDelayAfterFailure *Duration `toml:"scale_down_delay_after_failure" min:"0s" max:"8784h"`
	// MaxNodeProvisionTime is --max-node-provision-time: a node not registered by then is given up (15m).
	MaxNodeProvisionTime *Duration `toml:"max_node_provision_time" min:"0s" max:"8784h"`
	// MaxScaleDownParallelism is --max-scale-down-parallelism: nodes deleted at once (10).
	MaxScaleDownParallelism *int `toml:"max_scale_down_parallelism" max:"100000"`
	// MaxDrainParallelism is --max-drain-parallelism: non-empty nodes drained at once (1).
	MaxDrainParallelism *int `toml:"max_drain_parallelism" max:"100000"`
	// SkipNodesWithLocalStorage is --skip-nodes-with-local-storage (true).
	SkipNodesWithLocalStorage *bool `toml:"skip_nodes_with_local_storage"`
	// SkipNodesWithSystemPods is --skip-nodes-with-system-pods (true).
	SkipNodesWithSystemPods *bool `toml:"skip_nodes_with_system_pods"`
	// IgnoreDaemonSetsUtilization is --ignore-daemonsets-utilization (false).
	IgnoreDaemonSetsUtilization *bool `toml:"ignore_daemonsets_utilization"`
	// ExpendablePodsPriorityCutoff is --expendable-pods-priority-cutoff (-10).
	ExpendablePodsPriorityCutoff *int `toml:"expendable_pods_priority_cutoff" min:"-2147483648" max:"2147483647" why:"a pod priority"`
	// NewPodScaleUpDelay is --new-pod-scale-up-delay (0s).
	NewPodScaleUpDelay *Duration `toml:"new_pod_scale_up_delay" min:"0s" max:"8784h"`
	// InitialNodeGroupBackoff is --initial-node-group-backoff-duration (5m).
	InitialNodeGroupBackoff *Duration `toml:"initial_node_group_backoff_duration" min:"0s" max:"8784h"`
	// MaxNodeGroupBackoff is --max-node-group-backoff-duration (30m).
	MaxNodeGroupBackoff *Duration `toml:"max_node_group_backoff_duration" min:"0s" max:"8784h"`
	// MaxPodEvictionTime is --max-pod-eviction-time (2m).
	MaxPodEvictionTime *Duration `toml:"max_pod_eviction_time" min:"0s" max:"8784h"`
	// BlockingSystemPodDisruptionTimeout is --blocking-system-pod-distruption-timeout (1h).
	BlockingSystemPodDisruptionTimeout *Duration `toml:"blocking_system_pod_disruption_timeout" min:"0s" max:"8784h"`
	// Nodes are --nodes=MIN:MAX:NAME, one per managed node group.
	Nodes []string `toml:"nodes" maxitems:"1000"`
	// NodeGroupAutoDiscovery is --node-group-auto-discovery: asg:tag=KEY,...
	NodeGroupAutoDiscovery []string `toml:"node_group_auto_discovery" maxitems:"100"`
}

// caPrioritySchema is one entry of the priority expander's ConfigMap
// (cluster-autoscaler-priority-expander, data.priorities): a priority and
// the node group name patterns it applies to.
type caPrioritySchema struct {
	Priority int      `toml:"priority" min:"-2147483648" max:"2147483647" why:"an integer priority"`
	Patterns []string `toml:"patterns" maxitems:"100"`
}

// caTagEnabled and caTagCluster are the tags EKS puts on a managed node
// group's Auto Scaling group for the Cluster Autoscaler's auto-discovery
// (EKS user guide, "Managed node groups": k8s.io/cluster-autoscaler/enabled
// and k8s.io/cluster-autoscaler/CLUSTER_NAME).
const (
	caTagEnabled       = "k8s.io/cluster-autoscaler/enabled"
	caTagClusterPrefix = "k8s.io/cluster-autoscaler/"
	caSafeToEvict      = "cluster-autoscaler.kubernetes.io/safe-to-evict"
)

// caQuietFlags are flags that change nothing fleetsim simulates (logging,
// the API connection, leader election, metrics): read without a warning.
var caQuietFlags = []string{"v", "stderrthreshold", "logtostderr", "alsologtostderr", "log-dir", "log-file", "kubeconfig",
	"address", "leader-elect", "leader-elect-resource-lock", "leader-elect-lease-duration", "kube-api-content-type",
	"kube-client-qps", "kube-client-burst", "profiling", "write-status-configmap", "status-config-map-name", "namespace"}

// caFlag is one modelled flag: how its value sets the configuration.
type caFlag struct {
	name string
	set  func(c *clusterautoscaler.Config, val string) (want string, ok bool)
}

func caDuration(f func(*clusterautoscaler.Config) *time.Duration) func(*clusterautoscaler.Config, string) (string, bool) {
	return func(c *clusterautoscaler.Config, val string) (string, bool) {
		d, err := time.ParseDuration(val)
		if err != nil || d < 0 {
			return `a duration such as "10m" or "10s"`, false
		}
		*f(c) = d
		return "", true
	}
}

func caInt(f func(*clusterautoscaler.Config) *int) func(*clusterautoscaler.Config, string) (string, bool) {
	return func(c *clusterautoscaler.Config, val string) (string, bool) {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 {
			return "a non-negative integer", false
		}
		*f(c) = n
		return "", true
	}
}

func caBool(f func(*clusterautoscaler.Config) *bool, invert bool) func(*clusterautoscaler.Config, string) (string, bool) {
	return func(c *clusterautoscaler.Config, val string) (string, bool) {
		b, err := strconv.ParseBool(val)
		if err != nil {
			return "true or false", false
		}
		*f(c) = b != invert
		return "", true
	}
}

// caFlags are the flags fleetsim models (autoscale/clusterautoscaler.Config).
var caFlags = []caFlag{
	{"scan-interval", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.ScanInterval })},
	{"expander", func(c *clusterautoscaler.Config, val string) (string, bool) {
		c.Expanders = strings.Split(val, ",")
		return "", true
	}},
	{"max-nodes-total", caInt(func(c *clusterautoscaler.Config) *int { return &c.MaxNodesTotal })},
	{"balance-similar-node-groups", caBool(func(c *clusterautoscaler.Config) *bool { return &c.BalanceSimilarNodeGroups }, false)},
	{"scale-down-enabled", caBool(func(c *clusterautoscaler.Config) *bool { return &c.ScaleDownDisabled }, true)},
	{"scale-down-utilization-threshold", func(c *clusterautoscaler.Config, val string) (string, bool) {
		x, err := strconv.ParseFloat(val, 64)
		if err != nil || x < 0 || x > 1 {
			return "a number from 0 to 1", false
		}
		c.ScaleDownUtilizationThreshold = x
		return "", true
	}},
	{"scale-down-unneeded-time", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.ScaleDownUnneededTime })},
	{"scale-down-delay-after-add", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.ScaleDownDelayAfterAdd })},
	{"scale-down-delay-after-delete", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.ScaleDownDelayAfterDelete })},
	{"scale-down-delay-after-failure", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.ScaleDownDelayAfterFailure })},
	{"max-node-provision-time", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.MaxNodeProvisionTime })},
	{"max-scale-down-parallelism", caInt(func(c *clusterautoscaler.Config) *int { return &c.MaxScaleDownParallelism })},
	{"max-empty-bulk-delete", caInt(func(c *clusterautoscaler.Config) *int { return &c.MaxScaleDownParallelism })}, // deprecated alias
	{"max-drain-parallelism", caInt(func(c *clusterautoscaler.Config) *int { return &c.MaxDrainParallelism })},
	{"skip-nodes-with-local-storage", caBool(func(c *clusterautoscaler.Config) *bool { return &c.SkipNodesWithLocalStorage }, false)},
	{"blocking-system-pod-distruption-timeout", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.BlockingSystemPodDisruptionTimeout })},
	{"skip-nodes-with-system-pods", caBool(func(c *clusterautoscaler.Config) *bool { return &c.SkipNodesWithSystemPods }, false)},
	{"ignore-daemonsets-utilization", caBool(func(c *clusterautoscaler.Config) *bool { return &c.IgnoreDaemonSetsUtilization }, false)},
	{"expendable-pods-priority-cutoff", func(c *clusterautoscaler.Config, val string) (string, bool) {
		n, err := strconv.ParseInt(val, 10, 32)
		if err != nil {
			return "an integer pod priority", false
		}
		c.ExpendablePodsPriorityCutoff = int32(n)
		return "", true
	}},
	{"new-pod-scale-up-delay", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.NewPodScaleUpDelay })},
	{"initial-node-group-backoff-duration", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.InitialNodeGroupBackoff })},
	{"max-node-group-backoff-duration", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.MaxNodeGroupBackoff })},
	{"max-pod-eviction-time", caDuration(func(c *clusterautoscaler.Config) *time.Duration { return &c.MaxPodEvictionTime })},
}

// caFlagSite is where a flag came from, for a problem's file and line.
type caFlagSite struct {
	file string
	line int
	key  string
}

// caGroups is what names the node groups: --nodes and
// --node-group-auto-discovery values with where each was given.
type caGroups struct {
	nodes, discovery []string
	nodeAt, discAt   []caFlagSite
}

// clusterAutoscaler reads [eks.cluster_autoscaler] into the cluster's
// eks.ClusterAutoscaler: the manifest's flags, then the keys, then the node
// groups and the pod facts the drain rules need.
func (v *validator) clusterAutoscaler(cl *eks.Config, objs eksObjects) *eks.ClusterAutoscaler {
	s := v.f.EKS.ClusterAutoscaler
	if s == nil {
		return nil
	}
	base := p("eks", "cluster_autoscaler")
	k := func(key string, more ...any) []string { return append(append(slices.Clone(base), key), p(more...)...) }
	cfg := clusterautoscaler.Defaults()
	var groups caGroups
	if s.Manifest != "" {
		v.caManifest(k("manifest"), s.Manifest, &cfg, &groups)
	}
	v.caKeys(s, &cfg, k)
	for i, n := range s.Nodes {
		groups.nodes = append(groups.nodes, n)
		file, line, key := v.at(k("nodes", i))
		groups.nodeAt = append(groups.nodeAt, caFlagSite{file, line, key})
	}
	for i, d := range s.NodeGroupAutoDiscovery {
		groups.discovery = append(groups.discovery, d)
		file, line, key := v.at(k("node_group_auto_discovery", i))
		groups.discAt = append(groups.discAt, caFlagSite{file, line, key})
	}
	out := &eks.ClusterAutoscaler{Config: cfg}
	for i, e := range cfg.Expanders {
		if !slices.Contains(clusterautoscaler.Expanders, e) {
			pr := v.problem(k("expander"), "expanders from "+strings.Join(clusterautoscaler.Expanders, ", "), quoteShort(e), "")
			if c := closest(e, clusterautoscaler.Expanders); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
			v.problems = append(v.problems, pr)
		} else if slices.Index(cfg.Expanders, e) != i {
			v.bad(k("expander"), "each expander once (an expander must not appear in the list more than once)", quoteShort(e)+" twice")
		}
		if e == clusterautoscaler.ExpanderPrice {
			v.warn(k("expander"), "an expander the AWS cloud provider supports", "price",
				"upstream's price expander works only for GCE, GKE and Equinix Metal (FAQ); fleetsim prices the new nodes from its catalog")
		}
	}
	if slices.Contains(cfg.Expanders, clusterautoscaler.ExpanderPriority) && len(cfg.Priorities) == 0 {
		v.badHint(k("expander"), "the priority expander's priorities", "priority without them",
			"give [[eks.cluster_autoscaler.priorities]] with priority and patterns (the cluster-autoscaler-priority-expander ConfigMap)")
	}
	if cfg.MaxScaleDownParallelism < 1 {
		v.bad(k("max_scale_down_parallelism"), "at least 1", strconv.Itoa(cfg.MaxScaleDownParallelism))
	}
	if cfg.MaxDrainParallelism < 1 {
		v.bad(k("max_drain_parallelism"), "at least 1", strconv.Itoa(cfg.MaxDrainParallelism))
	}
	if cfg.ScanInterval <= 0 {
		v.bad(k("scan_interval"), "a positive scan interval", cfg.ScanInterval.String())
	}
	out.NodeGroups = v.caNodeGroups(cl, groups, base)
	v.caWithKarpenter(base, groups)
	out.Pods = caPodFacts(objs)
	return out
}

// caKeys applies the TOML keys over the flags.
func (v *validator) caKeys(s *caSchema, cfg *clusterautoscaler.Config, k func(string, ...any) []string) {
	dur := func(d *Duration, to *time.Duration) {
		if d != nil {
			*to = d.Duration
		}
	}
	dur(s.ScanInterval, &cfg.ScanInterval)
	dur(s.ScaleDownUnneededTime, &cfg.ScaleDownUnneededTime)
	dur(s.ScaleDownDelayAfterAdd, &cfg.ScaleDownDelayAfterAdd)
	dur(s.ScaleDownDelayAfterDelete, &cfg.ScaleDownDelayAfterDelete)
	dur(s.ScaleDownDelayAfterFailure, &cfg.ScaleDownDelayAfterFailure)
	dur(s.MaxNodeProvisionTime, &cfg.MaxNodeProvisionTime)
	dur(s.NewPodScaleUpDelay, &cfg.NewPodScaleUpDelay)
	dur(s.InitialNodeGroupBackoff, &cfg.InitialNodeGroupBackoff)
	dur(s.MaxNodeGroupBackoff, &cfg.MaxNodeGroupBackoff)
	dur(s.MaxPodEvictionTime, &cfg.MaxPodEvictionTime)
	dur(s.BlockingSystemPodDisruptionTimeout, &cfg.BlockingSystemPodDisruptionTimeout)
	if s.Expander != "" {
		cfg.Expanders = strings.Split(s.Expander, ",")
	}
	if s.MaxNodesTotal != nil {
		cfg.MaxNodesTotal = *s.MaxNodesTotal
	}
	if s.BalanceSimilarNodeGroups != nil {
		cfg.BalanceSimilarNodeGroups = *s.BalanceSimilarNodeGroups
	}
	if s.ScaleDownEnabled != nil {
		cfg.ScaleDownDisabled = !*s.ScaleDownEnabled
	}
	if s.ScaleDownUtilizationThreshold != nil {
		cfg.ScaleDownUtilizationThreshold = *s.ScaleDownUtilizationThreshold
	}
	if s.MaxScaleDownParallelism != nil {
		cfg.MaxScaleDownParallelism = *s.MaxScaleDownParallelism
	}
	if s.MaxDrainParallelism != nil {
		cfg.MaxDrainParallelism = *s.MaxDrainParallelism
	}
	if s.SkipNodesWithLocalStorage != nil {
		cfg.SkipNodesWithLocalStorage = *s.SkipNodesWithLocalStorage
	}
	if s.SkipNodesWithSystemPods != nil {
		cfg.SkipNodesWithSystemPods = *s.SkipNodesWithSystemPods
	}
	if s.IgnoreDaemonSetsUtilization != nil {
		cfg.IgnoreDaemonSetsUtilization = *s.IgnoreDaemonSetsUtilization
	}
	if s.ExpendablePodsPriorityCutoff != nil {
		cfg.ExpendablePodsPriorityCutoff = int32(*s.ExpendablePodsPriorityCutoff)
	}
	for i, pr := range s.Priorities {
		if len(pr.Patterns) == 0 {
			v.bad(k("priorities", i, "patterns"), "at least one node group name pattern (a regular expression)", "none")
		}
		for j, pat := range pr.Patterns {
			if _, err := regexp.Compile(pat); err != nil {
				v.bad(k("priorities", i, "patterns", j), "a Go regular expression", fmt.Sprintf("%s (%v)", quoteShort(pat), err))
			}
		}
		cfg.Priorities = append(cfg.Priorities, clusterautoscaler.PriorityTier{Priority: pr.Priority, Patterns: pr.Patterns})
	}
}

// caManifest reads the flags of the Cluster Autoscaler's container from a
// manifest's Deployment: its command and args, "--name=value" or a bare
// "--name" for true. Unknown flags are warnings.
func (v *validator) caManifest(from []string, rel string, cfg *clusterautoscaler.Config, groups *caGroups) {
	data, ok := v.readFile(from, rel, "Kubernetes manifest with the Cluster Autoscaler's Deployment")
	if !ok {
		return
	}
	display := rel
	if !path.IsAbs(rel) {
		display = path.Join(path.Dir(v.file), rel)
	}
	args, found, err := caContainerArgs(data)
	if err != nil {
		v.bad(from, "a YAML manifest", fmt.Sprintf("%s: %v", quoteShort(display), err))
		return
	}
	if !found {
		v.bad(from, "a manifest with a Deployment whose container runs cluster-autoscaler", quoteShort(display)+" without one")
		return
	}
	for _, a := range args {
		site := caFlagSite{file: display, line: a.line, key: fmt.Sprintf("Deployment %q container %q %s", a.deploy, a.container, a.field)}
		prob := func(want, got, hint string) Problem {
			return Problem{File: site.file, Line: site.line, Key: site.key, Want: want, Got: got, Hint: hint}
		}
		name, val, hasVal := strings.Cut(strings.TrimLeft(a.text, "-"), "=")
		if !strings.HasPrefix(a.text, "-") {
			continue // ./cluster-autoscaler itself, or a positional argument
		}
		if !hasVal {
			val = "true"
		}
		switch {
		case name == "nodes":
			groups.nodes = append(groups.nodes, val)
			groups.nodeAt = append(groups.nodeAt, site)
			continue
		case name == "node-group-auto-discovery":
			groups.discovery = append(groups.discovery, val)
			groups.discAt = append(groups.discAt, site)
			continue
		case name == "cloud-provider":
			if val != "aws" {
				v.problems = append(v.problems, prob("the AWS cloud provider (--cloud-provider=aws)", quoteShort(val), ""))
			}
			continue
		case slices.Contains(caQuietFlags, name):
			continue
		}
		i := slices.IndexFunc(caFlags, func(f caFlag) bool { return f.name == name })
		if i < 0 {
			v.warnings = append(v.warnings, prob("a flag fleetsim models", quoteShort("--"+name), "not modelled: ignored"))
			continue
		}
		if want, ok := caFlags[i].set(cfg, val); !ok {
			v.problems = append(v.problems, prob(want, quoteShort(a.text), ""))
		}
	}
}

// caArg is one command-line word of the Cluster Autoscaler's container.
type caArg struct {
	deploy, container, field, text string
	line                           int
}

// caContainerArgs finds the first Deployment with a container running
// cluster-autoscaler (its image or command names it) and returns its
// command and args words with their lines.
func caContainerArgs(data []byte) ([]caArg, bool, error) {
	dec := yaml.NewDecoder(strings.NewReader(string(data)))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); err != nil {
			if err.Error() == "EOF" {
				return nil, false, nil
			}
			return nil, false, err
		}
		if len(doc.Content) == 0 {
			continue
		}
		root := doc.Content[0]
		if yamlScalar(yamlGet(root, "kind")) != "Deployment" {
			continue
		}
		name := yamlScalar(yamlGet(yamlGet(root, "metadata"), "name"))
		cs := yamlGet(yamlGet(yamlGet(yamlGet(root, "spec"), "template"), "spec"), "containers")
		if cs == nil || cs.Kind != yaml.SequenceNode {
			continue
		}
		for _, c := range cs.Content {
			cname := yamlScalar(yamlGet(c, "name"))
			image := yamlScalar(yamlGet(c, "image"))
			var out []caArg
			runs := strings.Contains(image, "cluster-autoscaler")
			for _, field := range []string{"command", "args"} {
				seq := yamlGet(c, field)
				if seq == nil || seq.Kind != yaml.SequenceNode {
					continue
				}
				for i, w := range seq.Content {
					if i == 0 && field == "command" && strings.HasSuffix(w.Value, "cluster-autoscaler") {
						runs = true
					}
					out = append(out, caArg{deploy: name, container: cname, field: fmt.Sprintf("%s[%d]", field, i), text: w.Value, line: w.Line})
				}
			}
			if runs {
				return out, true, nil
			}
		}
	}
}

func yamlGet(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

func yamlScalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	return n.Value
}

// caNodeGroups resolves --nodes (MIN:MAX:NAME, the node group's name as
// the Auto Scaling group's) and auto-discovery (asg:tag=KEY[=VALUE],...:
// every managed node group, whose Auto Scaling groups EKS tags with
// k8s.io/cluster-autoscaler/enabled and k8s.io/cluster-autoscaler/CLUSTER;
// self-managed groups carry no tags in fleetsim) to the node groups the
// autoscaler manages, in the order of [[eks.node_group]].
func (v *validator) caNodeGroups(cl *eks.Config, g caGroups, base []string) []eks.CANodeGroup {
	names := make([]string, len(cl.NodeGroups))
	for i, ng := range cl.NodeGroups {
		names[i] = ng.Name
	}
	before := len(v.problems)
	type mm struct{ min, max int }
	chosen := map[int]mm{}
	add := func(site caFlagSite, ng int, lim mm) {
		if cl.NodeGroups[ng].Kind != eks.Managed {
			v.problems = append(v.problems, Problem{File: site.file, Line: site.line, Key: site.key,
				Want: "a managed node group (fleetsim's Cluster Autoscaler deletes nodes through the managed node group's drain)",
				Got:  fmt.Sprintf("self-managed node group %q", names[ng])})
			return
		}
		chosen[ng] = lim
	}
	for i, n := range g.nodes {
		site := g.nodeAt[i]
		parts := strings.SplitN(n, ":", 3)
		lo, err1 := strconv.Atoi(safeIndex(parts, 0))
		hi, err2 := strconv.Atoi(safeIndex(parts, 1))
		if len(parts) != 3 || err1 != nil || err2 != nil || lo < 0 {
			v.problems = append(v.problems, Problem{File: site.file, Line: site.line, Key: site.key,
				Want: `--nodes as MIN:MAX:NAME such as "1:10:general"`, Got: quoteShort(n)})
			continue
		}
		if lo > hi {
			v.problems = append(v.problems, Problem{File: site.file, Line: site.line, Key: site.key,
				Want: "min <= max", Got: fmt.Sprintf("%d > %d in %s", lo, hi, quoteShort(n))})
			continue
		}
		ng := slices.Index(names, parts[2])
		if ng < 0 {
			pr := Problem{File: site.file, Line: site.line, Key: site.key, Want: "the name of one of [[eks.node_group]]", Got: quoteShort(parts[2])}
			if c := closest(parts[2], names); c != "" {
				pr.Hint = fmt.Sprintf("did you mean %q?", c)
			}
			v.problems = append(v.problems, pr)
			continue
		}
		add(site, ng, mm{lo, hi})
	}
	for i, d := range g.discovery {
		site := g.discAt[i]
		spec, ok := strings.CutPrefix(d, "asg:tag=")
		if !ok {
			v.problems = append(v.problems, Problem{File: site.file, Line: site.line, Key: site.key,
				Want: `AWS auto-discovery "asg:tag=KEY[=VALUE],..."`, Got: quoteShort(d)})
			continue
		}
		match := true
		for _, kv := range strings.Split(spec, ",") {
			key, _, _ := strings.Cut(kv, "=")
			switch {
			case key == caTagEnabled:
			case key == caTagClusterPrefix+cl.Name:
			case strings.HasPrefix(key, caTagClusterPrefix+"<"):
				v.warnings = append(v.warnings, Problem{File: site.file, Line: site.line, Key: site.key,
					Want: "the cluster's name in the tag " + caTagClusterPrefix + "CLUSTER", Got: quoteShort(key),
					Hint: fmt.Sprintf("a placeholder: taken as this cluster's name %q", cl.Name)})
			default:
				match = false
				v.warnings = append(v.warnings, Problem{File: site.file, Line: site.line, Key: site.key,
					Want: "a tag EKS puts on managed node groups (" + caTagEnabled + ", " + caTagClusterPrefix + cl.Name + ")",
					Got:  quoteShort(key), Hint: "no node group carries it: this definition discovers none"})
			}
		}
		if !match {
			continue
		}
		for ng := range cl.NodeGroups {
			if _, given := chosen[ng]; !given && cl.NodeGroups[ng].Kind == eks.Managed {
				chosen[ng] = mm{-1, -1} // the group's own min and max
			}
		}
	}
	if len(g.nodes) == 0 && len(g.discovery) == 0 {
		v.badHint(base, "the node groups the Cluster Autoscaler manages", "none",
			`give nodes = ["MIN:MAX:NAME"] or node_group_auto_discovery = ["asg:tag=k8s.io/cluster-autoscaler/enabled"] (or a manifest with --nodes or --node-group-auto-discovery)`)
	} else if len(chosen) == 0 && len(v.problems) == before {
		v.bad(base, "at least one managed node group for the Cluster Autoscaler", "none")
	}
	var out []eks.CANodeGroup
	for ng := range cl.NodeGroups {
		lim, ok := chosen[ng]
		if !ok {
			continue
		}
		if lim.min < 0 {
			lim = mm{0, 1 << 30} // the Auto Scaling group's own limits apply
		}
		out = append(out, eks.CANodeGroup{NodeGroup: ng, Min: lim.min, Max: lim.max})
	}
	return out
}

func safeIndex(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return ""
}

// caWithKarpenter refuses the Cluster Autoscaler beside Karpenter's
// NodePools ([[eks.node_pools]]) unless its node groups are named
// explicitly (--nodes, no auto-discovery): Karpenter launches its own
// instances outside any node group, so explicit groups keep the two
// disjoint; auto-discovery could take whatever groups there are, and both
// would then be scaling for the same pods on the same nodes (AWS and
// Karpenter's docs: run one node autoscaler per set of nodes).
func (v *validator) caWithKarpenter(base []string, g caGroups) {
	f := reflect.ValueOf(v.f.EKS).Elem().FieldByName("NodePools")
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Len() == 0 || len(g.discovery) == 0 {
		return
	}
	v.badHint(base, "the Cluster Autoscaler and Karpenter on disjoint nodes",
		"node_group_auto_discovery beside [[eks.node_pools]]",
		"name the Cluster Autoscaler's node groups with nodes = [\"MIN:MAX:NAME\"] so that it and Karpenter never manage the same nodes")
}

// caPodFacts reads from the manifests what the drain rules need beside the
// scheduling view: the safe-to-evict annotation of each workload's pod
// template (of a bare pod, its own).
func caPodFacts(objs eksObjects) []eks.CAPodFacts {
	var out []eks.CAPodFacts
	objs.eachPodAnnotations(func(kind, ns, name string, ann map[string]string) {
		if val, ok := ann[caSafeToEvict]; ok {
			out = append(out, eks.CAPodFacts{Kind: kind, Namespace: ns, Name: name, SafeToEvict: val})
		}
	})
	return out
}

// eachPodAnnotations calls fn with each workload's pod template
// annotations (a bare pod's own), its kind as the autoscalers name it
// (deployment, job, daemonset, pod) and its namespace ("default" when
// unset), in manifest order.
func (objs eksObjects) eachPodAnnotations(fn func(kind, ns, name string, ann map[string]string)) {
	add := func(kind, ns, name string, ann map[string]string) {
		if ns == "" {
			ns = "default"
		}
		fn(kind, ns, name, ann)
	}
	for _, d := range objs.deployments {
		add("deployment", d.Meta.Namespace, d.Meta.Name, d.Template.Meta.Annotations)
	}
	for _, j := range objs.jobs {
		add("job", j.Meta.Namespace, j.Meta.Name, j.Template.Meta.Annotations)
	}
	for _, d := range objs.daemonSets {
		add("daemonset", d.Meta.Namespace, d.Meta.Name, d.Template.Meta.Annotations)
	}
	for _, p := range objs.pods {
		add("pod", p.Meta.Namespace, p.Meta.Name, p.Meta.Annotations)
	}
}
