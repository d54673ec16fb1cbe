package report

import (
	"bufio"
	"encoding/json"
	"path/filepath"

	"github.com/fleetsim/fleetsim/sim"
)

// ExplainFile is the file of the placements a run explained (pods or
// tasks chosen by the scenario's explain entries or `fleetsim run
// --explain`), written beside summary.json when there is something to
// explain, and only then (docs/outputs.md, "explain.json").
const ExplainFile = "explain.json"

// writeExplain writes ExplainFile into dir through write when res explained
// something and the run writes its JSON files (json: the "json" output is
// wanted), and returns wrote with its name added.
func writeExplain(dir string, res *sim.Result, json bool, write func(string, func(*bufio.Writer) error) error, wrote []string) ([]string, error) {
	if !json || res.Explain.Empty() {
		return wrote, nil
	}
	if err := write(filepath.Join(dir, ExplainFile), func(w *bufio.Writer) error { return WriteExplain(w, res.Explain) }); err != nil {
		return nil, err
	}
	return append(wrote, ExplainFile), nil
}

// WriteExplain writes explain.json: an object with "pods" (an EKS run) or
// "tasks" (ECS), each an array holding one explained placement a line, as
// compact JSON, so that a 5,000-node cycle stays a line to grep or to feed
// to jq.
func WriteExplain(w *bufio.Writer, ex *sim.Explanations) error {
	w.WriteString("{\n")
	var err error
	if len(ex.Pods) > 0 {
		err = writeExplainLines(w, "pods", ex.Pods)
	} else {
		err = writeExplainLines(w, "tasks", ex.Tasks)
	}
	if err != nil {
		return err
	}
	_, err = w.WriteString("}\n")
	return err
}

func writeExplainLines[T any](w *bufio.Writer, key string, items []T) error {
	w.WriteString(`  "` + key + `": [` + "\n")
	for i := range items {
		b, err := json.Marshal(&items[i])
		if err != nil {
			return err
		}
		w.WriteString("    ")
		w.Write(b)
		if i+1 < len(items) {
			w.WriteString(",")
		}
		w.WriteString("\n")
	}
	_, err := w.WriteString("  ]\n")
	return err
}
