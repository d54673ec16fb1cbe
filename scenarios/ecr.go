package scenarios

import (
	"regexp"
	"slices"

	"github.com/fleetsim/fleetsim/sim"
	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/eks"
)

// ecrSchema is [ecr]: the Amazon ECR registry both orchestrators pull
// from (docs/semantics/ecr.md). Its presence switches the registry model
// on: storage and cross-region transfer lines in the bill, pull-through
// caches, replication, and pull failures.
type ecrSchema struct {
	// The bandwidth of a pull from another region's repository with no
	// replica in the run's region (choice: 20MiB/s).
	CrossRegionPullBandwidth *Bandwidth `toml:"cross_region_pull_bandwidth" max:"100GB/s"`
	// The bandwidth of a pull-through cache's pulls while ECR does not
	// hold the image yet (choice: 10MiB/s).
	PullThroughUpstreamBandwidth *Bandwidth         `toml:"pull_through_upstream_bandwidth" max:"100GB/s"`
	Images                       []ecrImageSchema   `toml:"images" maxitems:"10000"`
	PullFailures                 []ecrFailureSchema `toml:"pull_failures" maxitems:"1000"`
}

type ecrImageSchema struct {
	Name string `toml:"name"`
	// The compressed size stored; default: the size the containers give
	// the image.
	Size        *ByteSize `toml:"size" max:"100GiB"`
	Region      string    `toml:"region"` // the repository's region; default: the scenario's
	ReplicateTo []string  `toml:"replicate_to" maxitems:"25" why:"AWS: 25 destinations per replication configuration"`
	PullThrough bool      `toml:"pull_through_cache"`
}

type ecrFailureSchema struct {
	Image    string   `toml:"image"` // default: every image
	At       Duration `toml:"at" max:"8784h"`
	Duration Duration `toml:"duration" min:"0s" max:"8784h"`
	Message  string   `toml:"message"`
}

// The registry's choices (docs/semantics/ecr.md).
const (
	DefaultECRCrossRegionBytesPerSecond = 20 << 20
	DefaultECRUpstreamBytesPerSecond    = 10 << 20
)

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// ecr turns [ecr] into the registry model; nil without the section.
// Images the scenario names but [[ecr.images]] does not list live in the
// run's region at the size their containers give.
func (v *validator) ecr(cfg *sim.Config) *capacity.ECRConfig {
	f := v.f.ECR
	if f == nil {
		return nil
	}
	out := &capacity.ECRConfig{Region: cfg.Region, CrossRegionBytesPerSecond: DefaultECRCrossRegionBytesPerSecond,
		UpstreamBytesPerSecond: DefaultECRUpstreamBytesPerSecond}
	if b := f.CrossRegionPullBandwidth; b != nil {
		if b.BytesPerSecond <= 0 {
			v.bad(p("ecr", "cross_region_pull_bandwidth"), "a positive bandwidth such as \"20MB/s\"", "0")
		}
		out.CrossRegionBytesPerSecond = b.BytesPerSecond
	}
	if b := f.PullThroughUpstreamBandwidth; b != nil {
		if b.BytesPerSecond <= 0 {
			v.bad(p("ecr", "pull_through_upstream_bandwidth"), "a positive bandwidth such as \"10MB/s\"", "0")
		}
		out.UpstreamBytesPerSecond = b.BytesPerSecond
	}
	named := scenarioImages(cfg)
	sizeOf := map[string]int64{}
	var names []string
	for _, im := range named {
		if im.Name == "" {
			continue
		}
		if _, ok := sizeOf[im.Name]; !ok {
			names = append(names, im.Name)
		}
		sizeOf[im.Name] = max(sizeOf[im.Name], im.SizeBytes)
	}
	listed := map[string]bool{}
	for i, s := range f.Images {
		at := func(key string) []string { return p("ecr", "images", i, key) }
		if s.Name == "" {
			v.bad(at("name"), "the image's name, as a container names it", "none")
			continue
		}
		if listed[s.Name] {
			v.bad(at("name"), "an image listed once", quoteShort(s.Name))
			continue
		}
		listed[s.Name] = true
		size, ok := sizeOf[s.Name]
		if s.Size != nil {
			size = s.Size.Bytes
		} else if !ok {
			v.badName(at("name"), "the images the containers name (or give the image a size)", s.Name, names)
			continue
		}
		if s.Region != "" && !regionRE.MatchString(s.Region) {
			v.bad(at("region"), "an AWS region such as \"eu-west-1\"", quoteShort(s.Region))
		}
		for j, r := range s.ReplicateTo {
			if !regionRE.MatchString(r) {
				v.bad(p("ecr", "images", i, "replicate_to", j), "an AWS region such as \"us-east-1\"", quoteShort(r))
			}
		}
		region := s.Region
		if region == "" {
			region = cfg.Region
		}
		out.Images = append(out.Images, capacity.ECRImage{Name: s.Name, SizeBytes: size, Region: region,
			Replicas: slices.Clone(s.ReplicateTo), PullThrough: s.PullThrough})
	}
	for _, n := range names {
		if !listed[n] {
			out.Images = append(out.Images, capacity.ECRImage{Name: n, SizeBytes: sizeOf[n], Region: cfg.Region})
		}
	}
	for i, s := range f.PullFailures {
		at := func(key string) []string { return p("ecr", "pull_failures", i, key) }
		if s.Image != "" && !slices.Contains(names, s.Image) && !listed[s.Image] {
			v.badName(at("image"), "the images the scenario names", s.Image, names)
		}
		if !s.Duration.Set || s.Duration.Duration <= 0 {
			v.bad(at("duration"), "a positive duration such as \"15m\"", quoteOrNone(s.Duration))
		}
		if s.At.Duration < 0 || s.At.Duration >= cfg.Duration {
			v.bad(at("at"), "a time within the run (0s to "+cfg.Duration.String()+")", s.At.String())
		}
		out.Failures = append(out.Failures, capacity.PullFailure{Image: s.Image, From: s.At.Duration,
			To: s.At.Duration + s.Duration.Duration, Message: s.Message})
	}
	return out
}

// scenarioImages is every image the run's containers name, in the
// scenario's order: the ECS task definitions' or the EKS workloads'.
func scenarioImages(cfg *sim.Config) []eks.Image {
	var out []eks.Image
	for _, td := range cfg.TaskDefinitions {
		for _, c := range td.Containers {
			out = append(out, eks.Image{Name: c.Image, SizeBytes: c.ImageSizeBytes})
		}
	}
	if e := cfg.EKS; e != nil {
		add := func(t *eks.PodTemplate) { out = append(out, t.Images...) }
		for i := range e.Deployments {
			add(&e.Deployments[i].Template)
		}
		for i := range e.Jobs {
			add(&e.Jobs[i].Template)
		}
		for i := range e.DaemonSets {
			add(&e.DaemonSets[i].Template)
		}
		for i := range e.Pods {
			add(&e.Pods[i].Template)
		}
	}
	return out
}
