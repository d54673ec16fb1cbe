package ecs

// texts keeps one copy of the strings the event log repeats: a run of
// weeks logs hundreds of thousands of alarm and scaling rows, most of them
// with a service's group and one of a few alarm reasons, and the log holds
// every row until the run ends.
//
// It also keeps the lookups a world with thousands of services would
// otherwise make by scanning: placement specs by what they are made of,
// services by name.
type texts struct {
	joined   map[[2]string]string
	groups   []string // by service index: "service:NAME"
	specs    map[specKey]int32
	services map[string]int
}

// textID names a string in a strTable; 0 is "".
type textID int32

// strTable keeps the texts tasks hold (stop codes and reasons, placement
// failures, pull errors) once each, so that a task holds an id and no
// pointer. A few texts recur all run long: the last ones found are
// compared first (a constant compares equal by its pointer), before the
// map.
type strTable struct {
	ids    map[string]textID
	strs   []string // by id; strs[0] is ""
	recent [4]struct {
		s  string
		id textID
	}
	next int
}

// id is s's id, added on first sight.
func (t *strTable) id(s string) textID {
	if s == "" {
		return 0
	}
	for i := range t.recent {
		if r := &t.recent[i]; r.id != 0 && r.s == s {
			return r.id
		}
	}
	id, ok := t.ids[s]
	if !ok {
		if t.ids == nil {
			t.ids, t.strs = map[string]textID{}, []string{""}
		}
		id = textID(len(t.strs))
		t.strs = append(t.strs, s)
		t.ids[s] = id
	}
	t.recent[t.next] = struct {
		s  string
		id textID
	}{s, id}
	t.next = (t.next + 1) % len(t.recent)
	return id
}

// str is the text of id.
func (t *strTable) str(id textID) string {
	if id == 0 {
		return ""
	}
	return t.strs[id]
}

// specKey is what a placement spec that is pinned to no zone is made of.
type specKey struct {
	def      int
	group    string
	cpu, mem int64
}

// serviceNamed is the index of the service of that name.
func (w *World) serviceNamed(name string) int {
	if w.texts.services == nil {
		w.texts.services = make(map[string]int, len(w.cfg.Services))
		for i := len(w.cfg.Services) - 1; i >= 0; i-- { // the first of a name, as a scan finds it
			w.texts.services[w.cfg.Services[i].Name] = i
		}
	}
	si, ok := w.texts.services[name]
	if !ok {
		return -1
	}
	return si
}

// maxJoined bounds the joined texts kept: past it, a text is made afresh.
const maxJoined = 1 << 16

// joined is a + ": " + b, one copy per distinct pair.
func (w *World) joined(a, b string) string {
	k := [2]string{a, b}
	if s, ok := w.texts.joined[k]; ok {
		return s
	}
	s := a + ": " + b
	if w.texts.joined == nil {
		w.texts.joined = map[[2]string]string{}
	}
	if len(w.texts.joined) < maxJoined {
		w.texts.joined[k] = s
	}
	return s
}

// serviceGroup is a service's event group, "service:NAME".
func (w *World) serviceGroup(s *service) string {
	for len(w.texts.groups) <= int(s.idx) {
		w.texts.groups = append(w.texts.groups, "")
	}
	g := &w.texts.groups[s.idx]
	if *g == "" {
		*g = "service:" + s.cfg.Name
	}
	return *g
}
