package report

import (
	"time"

	"github.com/fleetsim/fleetsim/sim"
)

// Amazon ECR's prices (docs/semantics/ecr.md), US East (N. Virginia):
// private repository storage per GB-month, and data transfer out of a
// region to another AWS region per GB (ECR bills a cross-region pull at
// EC2's inter-region data transfer rate; pulls within a region are free).
// A GB is 2^30 bytes and a month 30 days, as the EBS line (catalog).
const (
	ECRStorageUSDPerGBMonth = 0.10
	ECRCrossRegionUSDPerGB  = 0.02
)

const bytesPerGB = 1 << 30

// meterECR is the run's ECR cost hour by hour: the images' storage for
// the share of each hour the run covers, and the cross-region transfer
// (known as a total) spread over the hours as the run's time is (choice).
// All zero when the run has no registry model.
func meterECR(res *sim.Result, frac []float64) []float64 {
	out := make([]float64, len(frac))
	if res.Config == nil || res.Config.ECR == nil {
		return out
	}
	storedGB := float64(res.ECR.StoredBytes) / bytesPerGB
	perHour := storedGB * ECRStorageUSDPerGBMonth / (30 * 24)
	transfer := ECRTransferUSD(res.ECR.CrossRegionBytes)
	var total float64
	for _, f := range frac {
		total += f
	}
	for h, f := range frac {
		out[h] = perHour * f
		if total > 0 {
			out[h] += transfer * f / total
		}
	}
	return out
}

// ECRStorageUSD is what bytes stored for d cost.
func ECRStorageUSD(bytes int64, d time.Duration) float64 {
	return float64(bytes) / bytesPerGB * ECRStorageUSDPerGBMonth * d.Hours() / (30 * 24)
}

// ECRTransferUSD is what bytes pulled across regions cost.
func ECRTransferUSD(bytes int64) float64 {
	return float64(bytes) / bytesPerGB * ECRCrossRegionUSDPerGB
}

// ecrAt is hour h's ECR cost (0 when the usage was metered without one).
func (u *hourUsage) ecrAt(h int) float64 {
	if h < len(u.ecr) {
		return u.ecr[h]
	}
	return 0
}
