//go:build ignore

// trim writes kubernetes-openapi.json: the schemas of Kubernetes' own
// OpenAPI v3 documents (api/openapi-spec/v3 in the kubernetes repository,
// or in the module cache's k8s.io/kubernetes) that a batch/v1 Job and a
// v1 PersistentVolumeClaim reach, without their descriptions, for
// internal/deploytest.
//
//	go run internal/deploytest/testdata/trim.go $(go env GOMODCACHE)/k8s.io/kubernetes@v1.37.2/api/openapi-spec/v3 > internal/deploytest/testdata/kubernetes-openapi.json
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	all := map[string]any{}
	for _, f := range []string{"apis__batch__v1_openapi.json", "api__v1_openapi.json"} {
		b, err := os.ReadFile(filepath.Join(os.Args[1], f))
		if err != nil {
			panic(err)
		}
		var doc struct {
			Components struct {
				Schemas map[string]any `json:"schemas"`
			} `json:"components"`
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			panic(err)
		}
		for k, v := range doc.Components.Schemas {
			all[k] = v
		}
	}
	keep := map[string]any{}
	var visit func(name string)
	var walk func(x any) any
	walk = func(x any) any {
		switch v := x.(type) {
		case map[string]any:
			out := map[string]any{}
			for k, e := range v {
				if k == "description" {
					if _, isString := e.(string); isString {
						continue
					}
				}
				if k == "$ref" {
					visit(strings.TrimPrefix(e.(string), "#/components/schemas/"))
				}
				out[k] = walk(e)
			}
			return out
		case []any:
			out := make([]any, len(v))
			for i, e := range v {
				out[i] = walk(e)
			}
			return out
		}
		return x
	}
	visit = func(name string) {
		if _, done := keep[name]; done {
			return
		}
		s, ok := all[name]
		if !ok {
			panic("no schema " + name)
		}
		keep[name] = nil
		keep[name] = walk(s)
	}
	visit("io.k8s.api.batch.v1.Job")
	visit("io.k8s.api.core.v1.PersistentVolumeClaim")
	out, err := json.MarshalIndent(map[string]any{
		"description": "Kubernetes v1.37.2 OpenAPI v3 schemas reached from batch/v1 Job and v1 PersistentVolumeClaim, descriptions removed (trim.go)",
		"components":  map[string]any{"schemas": keep},
	}, "", " ")
	if err != nil {
		panic(err)
	}
	fmt.Println(string(out))
}
