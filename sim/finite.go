package sim

import (
	"fmt"
	"math"
	"reflect"
	"strings"
)

// checkFinite returns an error naming the first float in v (a summary, by
// its JSON names) that is NaN or infinite: no output may carry one.
func checkFinite(v any) error {
	return walkFinite(reflect.ValueOf(v), nil)
}

func walkFinite(x reflect.Value, path []string) error {
	switch x.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !x.IsNil() {
			return walkFinite(x.Elem(), path)
		}
	case reflect.Slice, reflect.Array:
		for i := range x.Len() {
			if err := walkFinite(x.Index(i), append(path, fmt.Sprint(i))); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := x.Type()
		for i := range t.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
			if name == "" {
				name = t.Field(i).Name
			}
			if err := walkFinite(x.Field(i), append(path, name)); err != nil {
				return err
			}
		}
	case reflect.Float32, reflect.Float64:
		if f := x.Float(); math.IsNaN(f) || math.IsInf(f, 0) {
			return fmt.Errorf("%w: summary %s is %v", ErrInvariant, strings.Join(path, "."), f)
		}
	}
	return nil
}
