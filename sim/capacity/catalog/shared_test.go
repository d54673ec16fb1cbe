package catalog

import (
	"sync"
	"testing"
)

// The embedded catalogs are made once and shared (a sweep's runs each ask
// for theirs): the same catalog every time, from any goroutine, and still
// what a fresh parse gives.
func TestCatalogsAreMadeOnceAndShared(t *testing.T) {
	region := Regions()[len(Regions())-1]
	var wg sync.WaitGroup
	got := make([]*Catalog, 8)
	for i := range got {
		wg.Go(func() {
			if i%2 == 0 {
				got[i] = Default()
				return
			}
			c, err := ForRegion(region)
			if err != nil {
				t.Error(err)
			}
			got[i] = c
		})
	}
	wg.Wait()
	for i := range got {
		if got[i] != got[i%2] {
			t.Fatalf("call %d made another catalog", i)
		}
	}
	fresh, err := forRegion(Default(), region)
	if err != nil {
		t.Fatal(err)
	}
	if fresh.Len() != got[1].Len() || fresh.Region != got[1].Region {
		t.Errorf("the shared %s catalog holds %d types, a fresh one %d", region, got[1].Len(), fresh.Len())
	}
}
