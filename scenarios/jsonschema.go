package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/fleetsim/fleetsim/sim/capacity/catalog"
)

// The JSON Schema of the scenario format, for editors (taplo, Even Better
// TOML): docs/fleetsim-scenario.schema.json, generated from the schema
// structs by reflection, never written by hand. TestJSONSchemaIsCurrent
// fails when the committed file is not what this code generates; regenerate
// it with
//
//	go generate ./scenarios
//
//go:generate go test -run ^TestJSONSchemaIsCurrent$ -update .
//
// What it says, from where:
//   - a struct's toml tags are its properties, and no other key is allowed
//     (additionalProperties: false), as treeDecoder refuses an unknown key;
//   - min and max tags are minimum and maximum, maxitems is maxItems (or
//     maxProperties for a table of names), maxlen is maxLength (in
//     characters, so a little looser than the validator's bytes); a
//     duration, size or bandwidth is a string with a pattern, its bound in
//     the description;
//   - enum lists the values of a key the validator takes from a fixed set
//     (schemaEnums below; TestJSONSchemaEnumsAreTheValidators checks each
//     against the validator's own message);
//   - descriptions are the field's and type's comments in the schema files,
//     then the kind of value and its bound.
//
// It checks shape, not meaning: a service naming a task definition that does
// not exist passes it and fails `fleetsim validate` and `fleetsim run`.

// jsonSchemaPath is the committed schema, from this folder.
const jsonSchemaPath = "../docs/fleetsim-scenario.schema.json"

// schemaEnums holds the fixed sets of values the validator accepts, keyed by
// schema type and key. Where the validator keeps its set in a variable, this
// is that variable.
var schemaEnums = map[string][]string{
	"billingSchema.operating_system":                {"linux", "windows"},
	"billingSchema.fargate_cpu_architecture":        {"x86_64", "arm64"},
	"savingsPlanSchema.type":                        {catalog.ComputeSavingsPlan, catalog.EC2InstanceSavingsPlan},
	"savingsPlanSchema.term":                        billingTerms,
	"savingsPlanSchema.payment":                     billingPayments,
	"reservedInstanceSchema.offering_class":         {"standard", "convertible"},
	"reservedInstanceSchema.term":                   billingTerms,
	"reservedInstanceSchema.payment":                billingPayments,
	"asgSchema.spot_allocation_strategy":            {"price-capacity-optimized", "lowest-price", "capacity-optimized", "capacity-optimized-prioritized"},
	"providerSchema.managed_termination_protection": {"ENABLED", "DISABLED"},
	"providerSchema.managed_draining":               {"ENABLED", "DISABLED"},
	"warmPoolSchema.pool_state":                     {"Stopped", "Running", "Hibernated"},
	"miLaunchTemplateSchema.capacity_option_type":   miCapacityOptions, // managedinstances.go
	"miRequirementsSchema.cpu_manufacturers":        miManufacturers,
	"miRequirementsSchema.instance_generations":     miGenerations,
	"miRequirementsSchema.accelerator_types":        miAccelerators,
	"miRequirementsSchema.burstable_performance":    miIncludeRules,
	"miRequirementsSchema.bare_metal":               miIncludeRules,
	"miEventWindowSchema.start_week_day":            miWeekDays,
	"managedScalingSchema.status":                   {"ENABLED", "DISABLED"},
	"taskDefSchema.network_mode":                    {"awsvpc", "bridge", "host", "none"},
	"portMappingSchema.protocol":                    {"tcp", "udp"},
	"constraintSchema.type":                         {"distinctInstance", "memberOf"},
	"placementStrategySchema.type":                  {"binpack", "spread", "random"},
	"serviceSchema.launch_type":                     {"EC2", "FARGATE"},
	"serviceSchema.availability_zone_rebalancing":   {"ENABLED", "DISABLED"},
	"serviceSchema.scheduling_strategy":             {"REPLICA", "DAEMON"},
	"deploymentSchema.strategy":                     deployStrategyNames, // deploy_strategy.go
	"lifecycleHookSchema.target_type":               hookTargetTypes,
	"lifecycleHookSchema.lifecycle_stages":          hookStageNames,
	"lifecycleHookSchema.timeout_action":            hookTimeoutActions,
	"lifecycleHookSchema.simulate_result":           hookResults,
	"taskProtectionSchema.rule":                     {"while_processing"},
	"batchJobSchema.launch_type":                    {"EC2", "FARGATE"},
	"arrivalsSchema.pattern":                        {"poisson", "cron", "trace", "pattern"},
	"arrivalsSchema.format":                         {"swf", "csv"},
	"durationSchema.distribution":                   {"fixed", "exponential", "lognormal", "uniform", "weibull", "pareto"},
	"loadSchema.pattern":                            loadPatterns,
	"loadSchema.time_format":                        {"rfc3339", "offset_seconds", "offset_minutes"},
	"loadSchema.value_unit":                         {"per_second", "per_minute", "per_interval"},
	"loadSchema.interpolation":                      {"step", "linear"},
	"targetTrackingSchema.predefined_metric":        targetTrackingPredefinedNames,
	"predictSchema.predefined_metric_pair":          predictivePairNames,
	"predictSchema.mode":                            predictiveModeNames,
	"predictSchema.max_capacity_breach_behavior":    maxBreachNames,
	"stepScalingSchema.comparison":                  comparisonNames,
	"stepScalingSchema.treat_missing_data":          missingDataNames,
	"stepScalingSchema.adjustment_type":             adjustmentNames,
	"stepScalingSchema.metric_aggregation_type":     aggregationNames,
	"timelineSchema.action":                         timelineActions,
	"settingsSchema.image_pull_behavior":            {"default", "always", "once", "prefer-cached"},
	"settingsSchema.managed_scaling_mixed_groups":   {"estimate", "minimum_step"},
	"reportSchema.outputs":                          {"html", "csv", "json"},
	"eksSchema.support":                             {"standard", "extended"},
	"nodeGroupSchema.kind":                          {"managed", "self_managed"},
	"nodeGroupSchema.capacity_type":                 {"ON_DEMAND", "SPOT"},
	"priorityClassSchema.preemption_policy":         {"PreemptLowerPriority", "Never"},
	"eksSchedulerSchema.scoring_strategy":           {"LeastAllocated", "MostAllocated", "RequestedToCapacityRatio"},
	"requirementTOML.operator":                      {"In", "NotIn", "Exists", "DoesNotExist"},
	"nodePoolRequirement.operator":                  kpOperators,
	"nodePoolDisruption.consolidation_policy":       {"WhenEmptyOrUnderutilized", "WhenEmpty"},
	"nodeClassSchema.ami_family":                    {"AL2023", "AL2", "Bottlerocket"},
	"eksTimelineSchema.action":                      eksTimelineActions,
}

// schemaKeyDocs describes the keys whose fields carry no comment: the
// top-level tables, each with the page of docs/ that says what it means.
var schemaKeyDocs = map[string]string{
	"fileSchema.name":                "The scenario's name, in the report and the outputs.",
	"fileSchema.description":         "What the scenario shows, in a sentence or two (fleetsim show, the library list).",
	"fileSchema.start":               "When the run starts (default 2026-01-05T00:00:00Z, a Monday).",
	"fileSchema.duration":            "How long the run simulates.",
	"fileSchema.seed":                "The random seed: the same scenario and seed make the same run, byte for byte.",
	"fileSchema.region":              "The AWS region whose prices and Availability Zones apply (default us-east-1).",
	"fileSchema.cluster":             "The ECS cluster: its name, zones and default capacity provider strategy (docs/semantics/cluster.md).",
	"fileSchema.auto_scaling_groups": "EC2 Auto Scaling groups whose instances join the cluster (docs/semantics/cluster.md).",
	"fileSchema.capacity_providers":  "ECS capacity providers, each on an Auto Scaling group, with managed scaling (docs/semantics/cluster.md).",
	"fileSchema.task_definitions":    "Task definitions, written here or read from a register-task-definition JSON file with file = (docs/semantics/taskdefs.md).",
	"fileSchema.services":            "ECS services: their desired count, placement, deployments, load and Application Auto Scaling (docs/semantics/workload.md, docs/semantics/autoscale.md).",
	"fileSchema.batch_jobs":          "Tasks run to completion as they arrive, as RunTask starts them (docs/semantics/workload.md).",
	"fileSchema.settings":            "Timings and AWS behaviours the simulation assumes (docs/semantics.md).",
	"fileSchema.report":              "What a run writes (docs/outputs.md).",
	"fileSchema.quotas":              "The account's adjustable service quotas, where they differ from AWS's defaults (docs/semantics.md, \"Limits\").",
	"fileSchema.timeline":            "What happens during the run: deployments, capacity changes, drains, failures, outages, Spot interruptions.",
	"fileSchema.billing":             "How the run is bought: operating system, prices, Savings Plans and Reserved Instances (docs/semantics/billing.md).",
	"fileSchema.eks":                 "An Amazon EKS cluster instead of the ECS one, with workloads from Kubernetes manifests (docs/semantics/eks.md).",
}

// The patterns of the string-valued units (units.go).
const (
	// A Go duration ("1h30m", "90s", "0") or a whole number of days.
	durationPattern = `^([0-9]+d|[-+]?(0|(([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|μs|ms|s|m|h))+))$`
	// A decimal number, then a decimal or binary unit (parseBytes).
	sizePattern      = `^\s*\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*(KiB|MiB|GiB|TiB|KB|MB|GB|TB|B)$`
	bandwidthPattern = `^\s*\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\s*(KiB|MiB|GiB|TiB|KB|MB|GB|TB|B)/s$`
	percentPattern   = `^(100|[1-9]?[0-9])%$`
	// A Kubernetes quantity: a decimal number and a suffix (scenarios/kube).
	quantityPattern = `^\+?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`
)

var intOrPercentType = reflect.TypeFor[intOrPercentValue]()

// quantityType is a Kubernetes quantity (eks_hpa.go).
var quantityType = reflect.TypeFor[quantityValue]()

// jsonSchemaGen builds the schema: one definition per schema struct.
type jsonSchemaGen struct {
	docs map[string]string // "type" and "type.Field": the comment in the source
	defs map[string]any
	seen map[reflect.Type]string
}

// generateJSONSchema returns the schema of the scenario format, its
// descriptions read from the Go files in dir (the scenarios package).
func generateJSONSchema(dir string) ([]byte, error) {
	docs, err := schemaDocs(dir)
	if err != nil {
		return nil, err
	}
	g := &jsonSchemaGen{docs: docs, defs: map[string]any{}, seen: map[reflect.Type]string{}}
	root := g.object(reflect.TypeFor[fileSchema]())
	root["$schema"] = "http://json-schema.org/draft-07/schema#"
	root["title"] = "fleetsim scenario"
	root["description"] = "A fleetsim scenario (TOML): an ECS cluster, or an EKS one under [eks], its workloads, and the run. " +
		"Generated from the scenarios package's schema structs (go generate ./scenarios); docs/semantics.md says what each key means."
	root["definitions"] = g.defs
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(root); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// ref returns a reference to t's definition, defining it the first time.
func (g *jsonSchemaGen) ref(t reflect.Type) map[string]any {
	name, ok := g.seen[t]
	if !ok {
		name = strings.TrimSuffix(strings.TrimSuffix(t.Name(), "Schema"), "TOML")
		if _, taken := g.defs[name]; taken {
			panic("scenarios: two schema types define " + name)
		}
		g.seen[t] = name
		g.defs[name] = nil // a recursive type (load's components) refers to itself
		g.defs[name] = g.object(t)
	}
	return map[string]any{"$ref": "#/definitions/" + name}
}

// object is the schema of a struct: its keys, and no others.
func (g *jsonSchemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	for i := range t.NumField() {
		f := t.Field(i)
		key := tagName(f, "toml")
		if key == "" || key == "-" || !f.IsExported() {
			continue
		}
		s := g.value(f.Type, f.Tag, t.Name()+"."+key)
		doc := g.docs[t.Name()+"."+f.Name]
		if d, ok := schemaKeyDocs[t.Name()+"."+key]; ok {
			doc = d
		}
		if doc == "" {
			doc = g.docs[structOf(f.Type).Name()] // a table's or list's: its type's
		}
		// "PodEvents records...", "Support is the tier...": without the Go name.
		doc = strings.TrimPrefix(strings.TrimPrefix(doc, f.Name+" is "), f.Name+" ")
		if doc != "" {
			doc = strings.ToUpper(doc[:1]) + doc[1:]
			s["description"] = joinSentences(doc, s["description"])
		}
		props[key] = s
	}
	out := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if doc := g.docs[t.Name()]; doc != "" {
		out["description"] = doc
	}
	return out
}

// value is the schema of one key's value, of type t with the key's tags;
// enumKey names the key in schemaEnums.
func (g *jsonSchemaGen) value(t reflect.Type, tag reflect.StructTag, enumKey string) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t {
	case durationType:
		return bounded(map[string]any{"type": "string", "pattern": durationPattern}, durationWant, tag)
	case byteSizeType:
		return bounded(map[string]any{"type": "string", "pattern": sizePattern}, sizeWant, tag)
	case bandwidthType:
		return bounded(map[string]any{"type": "string", "pattern": bandwidthPattern}, bandwidthWant, tag)
	case dateTimeType:
		if tag.Get("calendar") == "day" {
			return map[string]any{"type": "string", "description": "A calendar day: a TOML date such as 2026-12-25."}
		}
		return map[string]any{"type": "string", "format": "date-time",
			"description": "An instant: a TOML date-time with an offset, such as 2026-01-05T00:00:00Z, from 1970 to 2199."}
	case quantityType:
		return map[string]any{"description": "A Kubernetes quantity: a number or a string such as \"100m\" or \"1.5\".", "oneOf": []any{
			map[string]any{"type": "number", "minimum": 0},
			map[string]any{"type": "string", "pattern": quantityPattern},
		}}
	case intOrPercentType:
		return map[string]any{"description": "A non-negative integer or a percentage such as \"25%\".", "oneOf": []any{
			map[string]any{"type": "integer", "minimum": 0, "maximum": 1<<31 - 1},
			map[string]any{"type": "string", "pattern": percentPattern},
		}}
	}
	switch t.Kind() {
	case reflect.Struct:
		return g.ref(t)
	case reflect.Slice:
		return map[string]any{"type": "array", "items": g.value(t.Elem(), tag, enumKey),
			"maxItems": tagInt(tag, "maxitems", defaultMaxItems)}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.value(t.Elem(), tag, enumKey),
			"maxProperties": tagInt(tag, "maxitems", defaultMaxItems)}
	case reflect.String:
		s := map[string]any{"type": "string", "maxLength": tagInt(tag, "maxlen", defaultMaxLen)}
		if names, ok := schemaEnums[enumKey]; ok {
			s["enum"] = names
		}
		return s
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64:
		return numeric(map[string]any{"type": "integer"}, "An integer", tag)
	case reflect.Float64:
		return numeric(map[string]any{"type": "number"}, "A number", tag)
	}
	panic(fmt.Sprintf("scenarios: schema key %s of kind %s has no JSON Schema", enumKey, t.Kind()))
}

// structOf is the struct a key holds, through pointers, lists and tables
// (nil's type when none).
func structOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	switch t {
	case durationType, byteSizeType, bandwidthType, dateTimeType, intOrPercentType, quantityType:
		return reflect.TypeFor[struct{}]() // a value, described as one
	}
	if t.Kind() != reflect.Struct {
		return reflect.TypeFor[struct{}]()
	}
	return t
}

// numeric adds a number's bound tags as minimum and maximum.
func numeric(s map[string]any, kind string, tag reflect.StructTag) map[string]any {
	for _, b := range []struct{ tag, key string }{{"min", "minimum"}, {"max", "maximum"}} {
		if x := tag.Get(b.tag); x != "" {
			if _, err := strconv.ParseFloat(x, 64); err != nil {
				panic("scenarios: bound " + strconv.Quote(x) + " is not a number")
			}
			s[b.key] = json.Number(x)
		}
	}
	s = bounded(s, kind, tag)
	if tiny := tag.Get("tiny"); tiny != "" {
		s["description"] = strings.TrimSuffix(s["description"].(string), ".") + "; 0 or at least " + tiny + "."
	}
	return s
}

// bounded describes a value: what it is and its bound (the validator's
// words, checkBound).
func bounded(s map[string]any, kind string, tag reflect.StructTag) map[string]any {
	lo, hi := tag.Get("min"), tag.Get("max")
	var bound string
	switch {
	case lo != "" && hi != "":
		bound = "from " + lo + " to " + hi
	case hi != "":
		bound = "at most " + hi
	case lo != "":
		bound = "at least " + lo
	}
	d := strings.ToUpper(kind[:1]) + kind[1:]
	if bound != "" {
		d += ", " + bound
		if w := tag.Get("why"); w != "" {
			d += " (" + w + ")"
		}
	}
	s["description"] = d + "."
	return s
}

// joinSentences puts a key's comment before the description of its value.
func joinSentences(doc string, rest any) string {
	r, _ := rest.(string)
	if !strings.HasSuffix(doc, ".") {
		doc += "."
	}
	if r == "" {
		return doc
	}
	return doc + " " + r
}

// fileRef is a comment that only names the file a type lives in.
var fileRef = regexp.MustCompile(`^[\w_]+\.go$`)

// schemaDocs reads the comments of the schema types and their fields from
// the package's Go files in dir: "type" for a type's doc comment,
// "type.Field" for a field's (the comment above it, else the one after it).
func schemaDocs(dir string) (map[string]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	docs := map[string]string{}
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				doc := ts.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				if text := typeDoc(ts.Name.Name, doc); text != "" {
					docs[ts.Name.Name] = text
				}
				for _, field := range st.Fields.List {
					text := commentText(field.Doc)
					if text == "" {
						if c := commentText(field.Comment); !fileRef.MatchString(c) {
							text = c
						}
					}
					for _, n := range field.Names {
						if text != "" {
							docs[ts.Name.Name+"."+n.Name] = text
						}
					}
				}
			}
		}
	}
	return docs, nil
}

// typeDoc is a type's comment without its Go name: "sloSchema is a
// service's objectives" becomes "A service's objectives".
func typeDoc(name string, cg *ast.CommentGroup) string {
	text := commentText(cg)
	rest, ok := strings.CutPrefix(text, name+" is ")
	if !ok {
		return ""
	}
	return strings.ToUpper(rest[:1]) + rest[1:]
}

// commentText is a comment's text on one line, without the names of Go
// files it refers to.
func commentText(cg *ast.CommentGroup) string {
	if cg == nil {
		return ""
	}
	return goFileRef.ReplaceAllString(strings.Join(strings.Fields(cg.Text()), " "), "")
}

// goFileRef is a parenthesised Go file name: "(slo.go)".
var goFileRef = regexp.MustCompile(` \([\w_]+\.go\)`)
