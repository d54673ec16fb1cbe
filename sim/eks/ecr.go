package eks

import (
	"fmt"

	"github.com/fleetsim/fleetsim/sim/capacity"
	"github.com/fleetsim/fleetsim/sim/des"
	"github.com/fleetsim/fleetsim/sim/schema"
)

// EventErrImagePull is a failed image pull (the kubelet's "Failed" event
// with ErrImagePull); the pod then waits in ImagePullBackOff.
const EventErrImagePull schema.EventType = "ErrImagePull"

// pullBlocked is the kubelet meeting a registry failure (the scenario's
// [[ecr.pull_failures]], capacity.Fleet.PullFailure) on one of pod pi's
// images: the pull fails with ErrImagePull, the container waits in
// ImagePullBackOff, and the kubelet pulls again after its back-off (10 s,
// doubling, at most 300 s: capacity.KubeletImageBackoff). Reports whether
// it did; a pull that gets through resets the back-off.
// docs/semantics/ecr.md; Kubernetes, "Images", ImagePullBackOff.
func (w *World) pullBlocked(pi int32) bool {
	p := &w.pods[pi]
	for _, im := range p.tmpl.Images {
		img := w.fleet.ImageID(im.Name)
		var msg string
		if p.node >= 0 {
			msg = w.fleet.PullFailure(p.node, img, pullAlways(im.Name))
		} else {
			msg = w.fleet.RegistryFailure(img) // no node cache
		}
		if msg == "" {
			continue
		}
		if p.pullFails < 255 {
			p.pullFails++
		}
		p.reason, p.message = "ImagePullBackOff", fmt.Sprintf("Back-off pulling image %q: %s", im.Name, msg)
		w.podEvent(pi, EventErrImagePull, fmt.Sprintf("Failed to pull image %q: %s", im.Name, msg))
		p.timer = w.eng.At(w.now()+des.At(capacity.KubeletImageBackoff(int(p.pullFails))), w.k.pullRetry, pi)
		return true
	}
	p.pullFails = 0
	return false
}

// onPullRetry is the end of the image pull back-off: pull again.
func (w *World) onPullRetry(_ des.Time, pi int32) {
	if p := &w.pods[pi]; p.active() {
		w.startContainers(pi)
	}
}
