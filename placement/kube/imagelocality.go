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
