package placement

import "math/rand/v2"

// randomTries is how many uniform draws randomBest makes before scanning.
const randomTries = 8

// randomBest places a spec whose chain starts with random. AWS
// (task-placement-strategies.html): "random: Place tasks randomly." Each
// fitting instance is equally likely: up to randomTries uniform draws over
// the pool are accepted if they fit (rejection sampling), else the pool is
// scanned and one of the fitting instances drawn. Strategies after random
// never matter, since random leaves no tie. Draws come only from r.
func (p *Pool) randomBest(s *Spec, r *rand.Rand) Handle {
	n := len(p.order)
	if n == 0 {
		return NoHandle
	}
	if r == nil {
		panic("placement: random strategy needs a *rand.Rand")
	}
	for range randomTries {
		h := p.order[r.IntN(n)]
		if c := &p.cands[h]; c.active && p.check(h, c, s) == Fits {
			return h
		}
	}
	h, _ := p.scanOrder(s, 0, p.rankOrder(s), r)
	return h
}

// pickTie draws one of the instances left tied when a random strategy follows
// keyed ones: uniform over the tie set, from r.
func pickTie(ties []Handle, r *rand.Rand) Handle {
	if len(ties) == 1 {
		return ties[0]
	}
	if r == nil {
		panic("placement: random strategy needs a *rand.Rand")
	}
	return ties[r.IntN(len(ties))]
}
