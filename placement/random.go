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
	o := p.rankOrder(s)
	if s.bare && o != nil {
		return p.drawFitting(s, o, r)
	}
	h, _ := p.scanOrder(s, 0, o, r)
	return h
}

// drawFitting is scanOrder's draw for a bare spec without the list: it
// counts the instances whose free resources (kept in the order) fit, draws
// one index as pickTie would from the list of them (no draw for one), and
// walks to it. A fallback on a big cluster with room here and there lists
// thousands of ties for one draw.
func (p *Pool) drawFitting(s *Spec, o *order, r *rand.Rand) Handle {
	// Two passes over the runs that can fit s, counting and then walking:
	// written out, since an iterator shared by both cost 40% more here.
	n := 0
	for _, run := range o.runs {
		if m := run.summary(); !m.fits(s) {
			continue
		}
		for _, f := range run.fits {
			if f.fits(s) {
				n++
			}
		}
	}
	if n == 0 {
		return NoHandle
	}
	k := 0
	if n > 1 {
		k = r.IntN(n)
	}
	for _, run := range o.runs {
		if m := run.summary(); !m.fits(s) {
			continue
		}
		for i, f := range run.fits {
			if f.fits(s) {
				if k == 0 {
					return run.hs[i]
				}
				k--
			}
		}
	}
	panic("placement: drawFitting lost count")
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
