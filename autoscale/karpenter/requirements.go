package karpenter

import (
	"slices"
	"strconv"
)

// typeLabel is an instance type's value of a well-known label that does not
// depend on the offering; ok is false for a key the type does not carry.
func typeLabel(t *InstanceType, key string) (string, bool) {
	switch key {
	case LabelInstanceType:
		return t.Name, true
	case LabelFamily:
		return t.Family, true
	case LabelSize:
		return t.Size, true
	case LabelArch:
		return t.Arch, true
	case LabelCPU:
		return strconv.Itoa(t.VCPU), true
	case LabelMemory:
		return strconv.FormatInt(t.MemoryMiB, 10), true
	}
	return "", false
}

// offeringKey reports whether key is decided by the offering (zone,
// capacity type) rather than the type.
func offeringKey(key string) bool { return key == LabelZone || key == LabelCapacityType }

func offeringLabel(o *Offering, key string) string {
	if key == LabelZone {
		return o.Zone
	}
	return o.Capacity.String()
}

// matches evaluates one requirement on a label value (ok: the label exists),
// as a NodeSelectorRequirement: NotIn and DoesNotExist hold for a missing
// label; Gt and Lt compare integers.
func (r *Requirement) matches(v string, ok bool) bool {
	switch r.Operator {
	case In:
		return ok && slices.Contains(r.Values, v)
	case NotIn:
		return !ok || !slices.Contains(r.Values, v)
	case Exists:
		return ok
	case DoesNotExist:
		return !ok
	case Gt, Lt:
		if !ok || len(r.Values) != 1 {
			return false
		}
		a, err1 := strconv.ParseInt(v, 10, 64)
		b, err2 := strconv.ParseInt(r.Values[0], 10, 64)
		if err1 != nil || err2 != nil {
			return false
		}
		if r.Operator == Gt {
			return a > b
		}
		return a < b
	}
	return false
}

// typeAllowed reports whether t satisfies every type-level requirement of
// reqs (offering-level ones are offeringAllowed's). A key that is neither a
// type's nor an offering's label (a custom label the pool sets on its
// nodes) is the world's to answer and is skipped here.
func typeAllowed(t *InstanceType, reqs []Requirement) bool {
	for i := range reqs {
		r := &reqs[i]
		if offeringKey(r.Key) {
			continue
		}
		v, ok := typeLabel(t, r.Key)
		if !ok && !isTypeKey(r.Key) {
			continue
		}
		if !r.matches(v, ok) {
			return false
		}
	}
	return true
}

func isTypeKey(k string) bool {
	switch k {
	case LabelInstanceType, LabelFamily, LabelSize, LabelArch, LabelCPU, LabelMemory:
		return true
	}
	return false
}

// offeringAllowed reports whether o satisfies every zone and capacity-type
// requirement of reqs.
func offeringAllowed(o *Offering, reqs []Requirement) bool {
	for i := range reqs {
		r := &reqs[i]
		if offeringKey(r.Key) && !r.matches(offeringLabel(o, r.Key), true) {
			return false
		}
	}
	return true
}

// Satisfiable reports whether some instance type of types, in some
// offering, satisfies every requirement of a NodePool: what scenarios checks
// before a run (a requirement no catalog type satisfies is an error).
func Satisfiable(reqs []Requirement, types []InstanceType) bool {
	for ti := range types {
		t := &types[ti]
		if !typeAllowed(t, reqs) {
			continue
		}
		for oi := range t.Offerings {
			if offeringAllowed(&t.Offerings[oi], reqs) {
				return true
			}
		}
	}
	return false
}
