package placement

// Matches reports whether the instance behind h meets every memberOf
// constraint of s, whatever its free resources; distinctInstance is left
// out (it depends on the tasks already there, not on the instance).
//
// A daemon service needs it apart from Fit. AWS (ECS Developer Guide,
// "Daemon scheduling strategy"): the daemon scheduler "deploys exactly one
// task on each active container instance that meets all of the task
// placement constraints"; when the task does not fit for resources the
// instance still counts, and ECS waits for resources to free up.
func (p *Pool) Matches(h Handle, s *Spec) bool {
	s.mustBelong(p)
	c := p.live(h)
	for i := range s.cons {
		bc := &s.cons[i]
		if bc.kind != DistinctInstanceConstraint && !p.memberOf(h, c, bc.expr) {
			return false
		}
	}
	return true
}
