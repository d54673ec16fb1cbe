package placement

// distinctInstance reports whether the instance may take another task of the
// spec's group: only if it runs none. AWS (ECS Developer Guide,
// task-placement-constraints.html): "Place each task in a particular group on
// a different container instance." Tasks on draining instances count.
func distinctInstance(c *candidate, s *Spec) bool { return c.groupCount(s.group) == 0 }
