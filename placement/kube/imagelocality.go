package kube

// Thresholds of imagelocality (image_locality.go): the range of image sizes
// that scores, "a reasonable size range for container images compressed and
// stored in registries".
const (
	mb                    int64 = 1024 * 1024
	minImageThreshold     int64 = 23 * mb
	maxContainerThreshold int64 = 1000 * mb
)

// ImageLocality is a ScorePlugin (plugins/imagelocality/image_locality.go):
// it favours nodes that already have the pod's images (init and app
// containers; names without a tag get ":latest"). Each image present counts
// its size scaled by how many of all nodes have it,
//
//	sum   = sum over present images of int64(size * (nodesWithImage / allNodes))
//	sum'  = sum clamped to [23 MiB, 1000 MiB * images]
//	score = 100 * (sum' - 23 MiB) / (1000 MiB * images - 23 MiB)
//
// (images = the pod's init + app containers; integer division), so an image
// everywhere counts fully and one on a single node of many hardly counts (the
// "node heating" guard). No NormalizeScore.
type ImageLocality struct {
	p      *PodInfo
	spread []float64 // per pod image: nodes with it / all nodes
}

var (
	_ ScorePlugin    = (*ImageLocality)(nil)
	_ PreScorePlugin = (*ImageLocality)(nil)
)

// Name returns "ImageLocality".
func (*ImageLocality) Name() string { return "ImageLocality" }

// PreScore computes each image's spread over the cluster's nodes.
func (pl *ImageLocality) PreScore(c *Cluster, p *PodInfo, _ []*NodeInfo) Status {
	pl.p = p
	pl.spread = pl.spread[:0]
	for _, im := range p.images {
		pl.spread = append(pl.spread, float64(c.imageNodes[im])/float64(c.numNodes))
	}
	return Status{}
}

// Score sums the scaled sizes of the images present and maps the sum onto
// 0..100.
func (pl *ImageLocality) Score(p *PodInfo, n *NodeInfo) int64 {
	if pl.p != p {
		pl.PreScore(p.c, p, nil)
	}
	var sum int64
	for i, im := range p.images {
		if size, ok := n.imageSize(im); ok {
			sum += int64(float64(size) * pl.spread[i])
		}
	}
	return imagePriority(sum, p.numImages)
}

// imagePriority is image_locality.go calculatePriority.
func imagePriority(sum int64, images int) int64 {
	hi := maxContainerThreshold * int64(images)
	if sum < minImageThreshold {
		sum = minImageThreshold
	} else if sum > hi {
		sum = hi
	}
	return MaxNodeScore * (sum - minImageThreshold) / (hi - minImageThreshold)
}

// scoreAll is Score over the feasible nodes. A node's score depends only on
// its images, the pod's and how many nodes have each, so it is kept per
// image list until the nodes change (Cluster.imageMemo).
func (pl *ImageLocality) scoreAll(p *PodInfo, feasible []*NodeInfo, out []int64) {
	memo := p.c.imageMemo(p)
	for i, n := range feasible {
		s := memo[n.id]
		if s < 0 {
			s = int8(pl.Score(p, n))
			memo[n.id] = s
		}
		out[i] = int64(s)
	}
}

// imageMemo returns ImageLocality's scores of p's image list by NodeID
// (-1: not yet computed), valid while the nodes do not change.
func (c *Cluster) imageMemo(p *PodInfo) []int8 {
	return nodeMemoFor(c, c.imageMemos, p.imageSig)
}

// nodeMemo is one pod shape's per-node scores by NodeID (-1: not yet
// computed), valid while the nodes and their labels are (gen is
// Cluster.nodesGen): ImageLocality's by image list, NodeAffinity's
// preferred by term set.
type nodeMemo[T int8 | int64] struct {
	gen   uint64
	score []T
}

// nodeMemoFor returns memos[sig]'s scores, made or reset to -1 when the
// nodes changed; the map is cleared when it holds maxEligibility shapes.
func nodeMemoFor[T int8 | int64](c *Cluster, memos map[string]*nodeMemo[T], sig string) []T {
	e := memos[sig]
	if e == nil {
		if len(memos) >= maxEligibility {
			clear(memos)
		}
		e = &nodeMemo[T]{gen: c.nodesGen - 1}
		memos[sig] = e
	}
	if e.gen != c.nodesGen || len(e.score) != len(c.nodes) {
		e.score = resize(e.score, len(c.nodes))
		for i := range e.score {
			e.score[i] = -1
		}
		e.gen = c.nodesGen
	}
	return e.score
}
