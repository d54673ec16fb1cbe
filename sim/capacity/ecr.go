package capacity

import (
	"slices"
	"time"

	"github.com/fleetsim/fleetsim/sim/des"
)

// ECRConfig is the Amazon ECR registry both orchestrators pull from: where
// each image's repository lives, whether it is replicated into the run's
// Region or filled by a pull-through cache rule, and the windows in which
// pulls of an image fail. Nil: every pull runs at Settings'
// ImagePullBytesPerSecond and never fails (the model before ECR).
// docs/semantics/ecr.md.
type ECRConfig struct {
	// Region is the run's region: the cluster's instances pull from it.
	Region string
	// CrossRegionBytesPerSecond caps a pull from a repository in another
	// region that has no replica in Region (choice: 20 MiB/s).
	CrossRegionBytesPerSecond int64
	// UpstreamBytesPerSecond caps a pull through a pull-through cache rule
	// while ECR has not cached the image yet: ECR fetches it from the
	// upstream registry as it serves it (choice: 10 MiB/s).
	UpstreamBytesPerSecond int64
	Images                 []ECRImage
	Failures               []PullFailure
}

// ECRImage is one image the scenario names, as its repository holds it.
type ECRImage struct {
	Name      string
	SizeBytes int64    // compressed size in the repository (storage, transfer)
	Region    string   // the repository's region ("": the run's)
	Replicas  []string // regions cross-region replication copies it to
	// PullThrough: the repository is a pull-through cache of an upstream
	// registry; ECR holds the image only after the first pull.
	PullThrough bool
}

// PullFailure makes pulls of Image (every image when empty) from the
// registry fail between From and To, with Message as the registry's error.
type PullFailure struct {
	Image    string
	From, To time.Duration
	Message  string
}

// DefaultPullFailureMessage is the registry error a failure carries when
// the scenario gives none.
const DefaultPullFailureMessage = "failed to resolve reference: unexpected status from HEAD request: 503 Service Unavailable"

// ECRUsage is what billing reads of the registry: storage and the bytes
// pulled across regions (in-region pulls are free).
type ECRUsage struct {
	// StoredBytes is the size of every image the scenario names, counted
	// once in its repository's region and once per replica region.
	StoredBytes int64
	// CrossRegionBytes is the bytes instances pulled from a repository in
	// another region (no replica in the run's).
	CrossRegionBytes int64
	// UpstreamPulls is the pulls a pull-through cache served from upstream.
	UpstreamPulls int
	Pulls         int // registry pulls (image layers moved)
}

// registry is the Fleet's ECR state: per image (by ImageID), when a
// pull-through cache holds it.
type registry struct {
	cfg      *ECRConfig
	byName   map[string]int // image name -> index into cfg.Images
	names    []string       // by ImageID
	cachedAt []des.Time     // by ImageID: when ECR's pull-through copy is complete (0: not yet)
	usage    ECRUsage
}

func newRegistry(cfg *ECRConfig) *registry {
	if cfg == nil {
		return nil
	}
	r := &registry{cfg: cfg, byName: map[string]int{}}
	for i, im := range cfg.Images {
		if _, dup := r.byName[im.Name]; !dup {
			r.byName[im.Name] = i
		}
	}
	return r
}

// image is the scenario's record of name, nil when it names none.
func (r *registry) image(name string) *ECRImage {
	if i, ok := r.byName[name]; ok {
		return &r.cfg.Images[i]
	}
	return nil
}

// crossRegion reports whether a pull of im leaves the run's region.
func (r *registry) crossRegion(im *ECRImage) bool {
	if im == nil || im.Region == "" || im.Region == r.cfg.Region {
		return false
	}
	return !slices.Contains(im.Replicas, r.cfg.Region)
}

// registryPull is how long a registry pull of image (bytes of it) to a client
// of bandwidth perSecond takes now, and books it: the slowest of the
// client's bandwidth, the cross-region bandwidth for an unreplicated image
// of another region, and the upstream's for a pull-through image ECR does
// not hold yet (the first such pull fills ECR's cache when it ends).
func (f *Fleet) registryPull(image int32, bytes, perSecond int64) des.Time {
	r := f.ecr
	if r == nil {
		return PullTime(bytes, perSecond)
	}
	now := f.eng.Now()
	name := f.imageName(image)
	im := r.image(name)
	bw := perSecond
	r.usage.Pulls++
	if r.crossRegion(im) {
		bw = minBandwidth(bw, r.cfg.CrossRegionBytesPerSecond)
		r.usage.CrossRegionBytes += max(bytes, 0)
	}
	for int(image) >= len(r.cachedAt) {
		r.cachedAt = append(r.cachedAt, 0)
	}
	upstream := im != nil && im.PullThrough && (r.cachedAt[image] == 0 || r.cachedAt[image] > now)
	if upstream {
		bw = minBandwidth(bw, r.cfg.UpstreamBytesPerSecond)
		r.usage.UpstreamPulls++
	}
	d := PullTime(bytes, bw)
	if upstream && r.cachedAt[image] == 0 {
		r.cachedAt[image] = max(now+d, 1)
	}
	return d
}

func minBandwidth(a, b int64) int64 {
	if b <= 0 {
		return a
	}
	if a <= 0 {
		return b
	}
	return min(a, b)
}

// imageName is the name ImageID interned as id.
func (f *Fleet) imageName(id int32) string {
	if f.ecr == nil || int(id) >= len(f.ecr.names) {
		return ""
	}
	return f.ecr.names[id]
}

// PullFailure reports the registry error a pull of image on instance i
// meets now: "" when the pull succeeds or needs no registry (the image is
// cached and recheck is off: the orchestrator's pull policy, as Pull).
// Orchestrators ask before Pull: ECS stops the task with
// CannotPullContainerError, the kubelet reports ErrImagePull and backs off
// (KubeletImageBackoff).
func (f *Fleet) PullFailure(i int32, image int32, recheck bool) string {
	if f.ecr == nil || len(f.ecr.cfg.Failures) == 0 {
		return ""
	}
	in := &f.instances[i]
	if at := in.readyTime(image); at != 0 && at <= f.eng.Now() && !recheck {
		return ""
	}
	return f.RegistryFailure(image)
}

// RegistryFailure is the registry error any pull of image meets now ("":
// none), for clients that hold no image cache (Fargate pulls every time).
func (f *Fleet) RegistryFailure(image int32) string {
	if f.ecr == nil {
		return ""
	}
	now := f.eng.Now()
	name := f.imageName(image)
	for _, pf := range f.ecr.cfg.Failures {
		if (pf.Image == "" || pf.Image == name) && des.At(pf.From) <= now && now < des.At(pf.To) {
			if pf.Message == "" {
				return DefaultPullFailureMessage
			}
			return pf.Message
		}
	}
	return ""
}

// PullUncached returns when a pull of image (bytes of it) that starts now
// at perSecond ends, through the registry model, for clients with no
// image cache: a Fargate task or pod pulls every time it starts.
func (f *Fleet) PullUncached(image int32, bytes, perSecond int64) des.Time {
	return f.eng.Now() + f.registryPull(image, bytes, perSecond)
}

// ECRUsage is the registry's books so far (zero without an ECRConfig).
func (f *Fleet) ECRUsage() ECRUsage {
	if f.ecr == nil {
		return ECRUsage{}
	}
	u := f.ecr.usage
	u.StoredBytes = StoredBytes(f.ecr.cfg)
	return u
}

// StoredBytes is what the repositories of cfg hold: each image in its
// region and in each replica region (a replica is stored and billed in
// its destination region).
func StoredBytes(cfg *ECRConfig) int64 {
	if cfg == nil {
		return 0
	}
	var n int64
	for _, im := range cfg.Images {
		regions := 1
		for _, rg := range im.Replicas {
			if rg != im.Region {
				regions++
			}
		}
		n += max(im.SizeBytes, 0) * int64(regions)
	}
	return n
}

// The kubelet's image pull back-off: 10 s after the first failure,
// doubling each failure, at most 300 s. Kubernetes (kubelet: backOffPeriod
// and MaxImageBackOff; "Images" page, ImagePullBackOff).
const (
	KubeletImageBackoffInitial = 10 * time.Second
	KubeletImageBackoffMax     = 300 * time.Second
)

// KubeletImageBackoff is the wait before the kubelet pulls again after
// failures consecutive failed pulls (failures >= 1).
func KubeletImageBackoff(failures int) time.Duration {
	d := KubeletImageBackoffInitial
	for n := 1; n < failures && d < KubeletImageBackoffMax; n++ {
		d *= 2
	}
	return min(d, KubeletImageBackoffMax)
}

// HasECR reports whether the run has a registry model (ECRConfig).
func (f *Fleet) HasECR() bool { return f.ecr != nil }

// FailedPullTime is how long a pull the registry fails takes: the
// manifest request that fails (Settings.CachedPullTime, choice).
func (f *Fleet) FailedPullTime() time.Duration { return f.cfg.Settings.CachedPullTime }
