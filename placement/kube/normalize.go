package kube

// defaultNormalizeScore is plugins/helper DefaultNormalizeScore: scores from
// 0..max(scores) scaled to 0..MaxNodeScore (integer division); reverse
// subtracts each from MaxNodeScore. All zero stays zero, or becomes
// MaxNodeScore when reversed.
func defaultNormalizeScore(scores []int64, reverse bool) {
	var hi int64
	for _, s := range scores {
		hi = max(hi, s)
	}
	if hi == 0 {
		if reverse {
			for i := range scores {
				scores[i] = MaxNodeScore
			}
		}
		return
	}
	for i, s := range scores {
		switch s {
		case 0:
		case hi:
			s = MaxNodeScore
		default:
			s = MaxNodeScore * s / hi
		}
		if reverse {
			s = MaxNodeScore - s
		}
		scores[i] = s
	}
}
