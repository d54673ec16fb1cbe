package placement

// memberOf reports whether the instance satisfies a memberOf constraint's
// expression. AWS (task-placement-constraints.html): "Place tasks on
// container instances that satisfy an expression"; the expression language is
// cluster-query-language.html (cql_parse.go, cql_eval.go). Expressions that
// read only static facts (attributes, ec2InstanceId, registeredAt,
// agentVersion, agentConnected) are cached per instance.
func (p *Pool) memberOf(h Handle, c *candidate, e *boundExpr) bool {
	if !e.static {
		return e.root.eval(p, c)
	}
	for int(h) >= len(e.cache) {
		e.cache = append(e.cache, 0)
	}
	if v := e.cache[h]; v>>2 == c.gen {
		return v&1 == 1
	}
	ok := e.root.eval(p, c)
	v := c.gen << 2
	if ok {
		v |= 1
	} else {
		v |= 2
	}
	e.cache[h] = v
	return ok
}

// check runs resources then constraints (in the order given) on one active
// instance and returns the first reason it fails, or Fits.
func (p *Pool) check(h Handle, c *candidate, s *Spec) Reason {
	if r := fitResources(c, s); r != Fits {
		return r
	}
	for i := range s.cons {
		bc := &s.cons[i]
		if bc.kind == DistinctInstanceConstraint {
			if !distinctInstance(c, s) {
				return ReasonDistinctInstance
			}
		} else if !p.memberOf(h, c, bc.expr) {
			return ReasonMemberOf
		}
	}
	return Fits
}
