package status

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/smithy-go/transport/http/protocol/awsjson"

	"github.com/discord-chatops/chatops/functions/interactions/internal/awserr"
	"github.com/discord-chatops/chatops/functions/interactions/internal/command"
	"github.com/discord-chatops/chatops/shared/i18n"
)

// The consumer-side interfaces, shaped like the SDK clients' methods so that *ec2.Client,
// *ecs.Client, *eks.Client and *cloudwatch.Client satisfy them unchanged.
type (
	// EC2API finds instances.
	EC2API interface {
		DescribeInstances(ctx context.Context, in *ec2.DescribeInstancesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error)
	}
	// ECSAPI reads services.
	ECSAPI interface {
		DescribeServices(ctx context.Context, in *ecs.DescribeServicesInput, optFns ...func(*ecs.Options)) (*ecs.DescribeServicesOutput, error)
	}
	// EKSAPI reads clusters.
	EKSAPI interface {
		DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, optFns ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
	}
	// CloudWatchAPI finds metrics and reads their data.
	CloudWatchAPI interface {
		ListMetrics(ctx context.Context, in *cloudwatch.ListMetricsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.ListMetricsOutput, error)
		GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
	}
)

// Limits and windows of a report.
const (
	// MaxResources is how many resources a report reads metrics for and shows: one embed each,
	// and Discord allows 10 embeds in a message.
	MaxResources = 10
	// Window is how far back the trend goes; Period is the granularity of the data read.
	Window = time.Hour
	Period = time.Minute
	// Recent is how old the latest datapoint may be to count as "now". EC2 basic monitoring
	// publishes one datapoint per 5 minutes, a few minutes late, so 5 minutes would call every
	// basic-monitored instance stale.
	Recent = 10 * time.Minute
	// maxScan bounds how many instances a tag filter may list before counting stops.
	maxScan = 1000
	// listConcurrency bounds the ListMetrics calls in flight.
	listConcurrency = 5
)

// Reader reads the state and the CPU and memory metrics of resources. Its clients are used
// only for the kinds asked for: a Reader for EC2 alone needs no ECS or EKS client.
type Reader struct {
	EC2        EC2API
	ECS        ECSAPI
	EKS        EKSAPI
	CloudWatch CloudWatchAPI
}

// Report is what /status shows for one target.
type Report struct {
	Target Target
	// Resources are the first MaxResources matches, in name order, with their metrics.
	Resources []Resource
	// Total counts every match, shown or not; Truncated is set when counting stopped early.
	Total     int
	Truncated bool
	// NotFound lists what was asked for by id or name and does not exist.
	NotFound []string
	// Start and End bound the metric data.
	Start, End time.Time
}

// Resource is one instance, service or cluster.
type Resource struct {
	ID   string // instance id, cluster/service, cluster name
	Name string // Name tag, service or cluster name; may be ""
	// State and Detail are printed in the reader's language; AWS's words stay as written.
	State  command.Text // "running", "2/2 tasks running", "ACTIVE"
	Detail command.Text // instance type, launch type, Kubernetes version
	CPU    Series
	Memory Series
}

// Series is the data of one metric of a resource, or why there is no such metric.
type Series struct {
	// Unavailable, when set, says why the metric does not exist; Points is then empty.
	Unavailable command.Text
	Points      []Point // oldest first, one per Period at most

	metric *cwtypes.Metric // what to read; nil when Unavailable
}

// Point is one datapoint: the average over the Period that starts at T.
type Point struct {
	T time.Time
	V float64
}

// metricSpec says where a kind keeps a metric: a metric with exactly Dims, or, when discover
// is set, any metric carrying Dims among others, to be found with ListMetrics.
type metricSpec struct {
	namespace, name string
	dims            []cwtypes.Dimension
	discover        bool
	missing         command.Text // the Unavailable text when discovery finds nothing
}

// Read finds the resources of t and reads their metrics over the hour before now. Failures
// the user can act on (nothing found, access denied) are *command.Error.
func (r *Reader) Read(ctx context.Context, t Target, now time.Time) (Report, error) {
	rep := Report{Target: t, End: now.Truncate(Period), Start: now.Truncate(Period).Add(-Window)}
	var specs [][2]metricSpec // CPU and memory of each shown resource
	var err error
	switch t.Kind {
	case EC2:
		specs, err = r.findInstances(ctx, t, &rep)
	case ECS:
		specs, err = r.findServices(ctx, t, &rep)
	case EKS:
		specs, err = r.findClusters(ctx, t, &rep)
	default:
		return rep, fmt.Errorf("unknown kind %q", t.Kind)
	}
	if err != nil {
		return rep, err
	}
	if len(rep.Resources) == 0 {
		return rep, notFound(t, rep.NotFound)
	}
	if err := r.resolve(ctx, &rep, specs); err != nil {
		return rep, err
	}
	return rep, r.fetch(ctx, &rep)
}

func (r *Reader) findInstances(ctx context.Context, t Target, rep *Report) ([][2]metricSpec, error) {
	in := &ec2.DescribeInstancesInput{}
	if len(t.InstanceIDs) > 0 {
		// A filter, not InstanceIds: an unknown id then goes missing instead of failing the call.
		in.Filters = []ec2types.Filter{{Name: aws.String("instance-id"), Values: t.InstanceIDs}}
	} else {
		in.Filters = []ec2types.Filter{
			{Name: aws.String("tag:" + t.TagKey), Values: t.TagValues},
			{Name: aws.String("instance-state-name"), Values: []string{"pending", "running", "shutting-down", "stopping", "stopped"}},
		}
		in.MaxResults = aws.Int32(1000)
	}
	var found []ec2types.Instance
	p := ec2.NewDescribeInstancesPaginator(r.EC2, in)
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Explain(err, command.T("status.action.listinstances"), "ec2:DescribeInstances")
		}
		for _, res := range page.Reservations {
			found = append(found, res.Instances...)
		}
		if len(found) >= maxScan {
			rep.Truncated = true
			break
		}
	}
	rep.Total = len(found)
	for _, id := range t.InstanceIDs {
		if !slices.ContainsFunc(found, func(i ec2types.Instance) bool { return aws.ToString(i.InstanceId) == id }) {
			rep.NotFound = append(rep.NotFound, id)
		}
	}
	res := make([]Resource, len(found))
	for i, inst := range found {
		res[i] = Resource{
			ID:     aws.ToString(inst.InstanceId),
			Name:   tag(inst.Tags, "Name"),
			Detail: asWritten(string(inst.InstanceType)),
		}
		if inst.State != nil {
			res[i].State = asWritten(string(inst.State.Name))
		}
	}
	rep.Resources = firstByName(res)
	specs := make([][2]metricSpec, len(rep.Resources))
	for i, res := range rep.Resources {
		id := []cwtypes.Dimension{{Name: aws.String("InstanceId"), Value: aws.String(res.ID)}}
		specs[i] = [2]metricSpec{
			{namespace: "AWS/EC2", name: "CPUUtilization", dims: id},
			// The CloudWatch agent appends dimensions (ImageId, InstanceType, ...) as configured:
			// a query by InstanceId alone finds nothing.
			{namespace: "CWAgent", name: "mem_used_percent", dims: id, discover: true,
				missing: command.T("status.unavailable.agent")},
		}
	}
	return specs, nil
}

func (r *Reader) findServices(ctx context.Context, t Target, rep *Report) ([][2]metricSpec, error) {
	byCluster := map[string][]string{}
	var clusters []string
	for _, s := range t.Services {
		if _, ok := byCluster[s.Cluster]; !ok {
			clusters = append(clusters, s.Cluster)
		}
		byCluster[s.Cluster] = append(byCluster[s.Cluster], s.Service)
	}
	var res []Resource
	for _, cluster := range clusters {
		for names := range slices.Chunk(byCluster[cluster], 10) { // DescribeServices takes 10
			out, err := r.ECS.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: aws.String(cluster), Services: names})
			if awserr.NotFound(err) {
				for _, n := range names {
					rep.NotFound = append(rep.NotFound, cluster+"/"+n)
				}
				continue
			}
			if err != nil {
				return nil, awserr.Explain(err, command.T("status.action.readservices"), "ecs:DescribeServices")
			}
			for _, f := range out.Failures {
				rep.NotFound = append(rep.NotFound, cluster+"/"+lastPart(aws.ToString(f.Arn)))
			}
			for _, s := range out.Services {
				res = append(res, serviceResource(cluster, s))
			}
		}
	}
	rep.Total = len(res)
	rep.Resources = firstByName(res)
	specs := make([][2]metricSpec, len(rep.Resources))
	for i, res := range rep.Resources {
		cluster, service, _ := strings.Cut(res.ID, "/")
		dims := []cwtypes.Dimension{
			{Name: aws.String("ClusterName"), Value: aws.String(cluster)},
			{Name: aws.String("ServiceName"), Value: aws.String(service)},
		}
		specs[i] = [2]metricSpec{
			{namespace: "AWS/ECS", name: "CPUUtilization", dims: dims},
			{namespace: "AWS/ECS", name: "MemoryUtilization", dims: dims},
		}
	}
	return specs, nil
}

func serviceResource(cluster string, s ecstypes.Service) Resource {
	name := aws.ToString(s.ServiceName)
	status := aws.ToString(s.Status)
	if status == "ACTIVE" {
		status = ""
	}
	state := command.T("status.ecs.tasks", i18n.Args{"Running": s.RunningCount, "Desired": s.DesiredCount, "Pending": s.PendingCount,
		"Status": status})
	return Resource{ID: cluster + "/" + name, Name: name, State: state, Detail: asWritten(string(s.LaunchType))}
}

func (r *Reader) findClusters(ctx context.Context, t Target, rep *Report) ([][2]metricSpec, error) {
	var res []Resource
	for _, name := range t.Clusters {
		out, err := r.EKS.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
		if awserr.NotFound(err) {
			rep.NotFound = append(rep.NotFound, name)
			continue
		}
		if err != nil {
			return nil, awserr.Explain(err, command.T("status.action.readclusters"), "eks:DescribeCluster")
		}
		c := out.Cluster
		rc := Resource{ID: name, Name: name}
		if c != nil {
			rc.State = asWritten(string(c.Status))
			if v := aws.ToString(c.Version); v != "" {
				rc.Detail = command.T("status.eks.version", i18n.Args{"Version": v})
			}
		}
		res = append(res, rc)
	}
	rep.Total = len(res)
	rep.Resources = firstByName(res)
	specs := make([][2]metricSpec, len(rep.Resources))
	missing := command.T("status.unavailable.insights")
	for i, res := range rep.Resources {
		dims := []cwtypes.Dimension{{Name: aws.String("ClusterName"), Value: aws.String(res.ID)}}
		specs[i] = [2]metricSpec{
			{namespace: "ContainerInsights", name: "node_cpu_utilization", dims: dims, discover: true, missing: missing},
			{namespace: "ContainerInsights", name: "node_memory_utilization", dims: dims, discover: true, missing: missing},
		}
	}
	return specs, nil
}

// firstByName sorts resources by name, then id, and keeps the first MaxResources.
func firstByName(res []Resource) []Resource {
	slices.SortFunc(res, func(a, b Resource) int {
		return cmp.Or(unnamed(a)-unnamed(b), cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return res[:min(len(res), MaxResources)]
}

// unnamed sorts resources without a name after the named ones.
func unnamed(r Resource) int {
	if r.Name == "" {
		return 1
	}
	return 0
}

// resolve turns each spec into the metric to read, calling ListMetrics for those to discover.
func (r *Reader) resolve(ctx context.Context, rep *Report, specs [][2]metricSpec) error {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		sem   = make(chan struct{}, listConcurrency)
	)
	for i := range rep.Resources {
		for j, spec := range specs[i] {
			series := &rep.Resources[i].CPU
			if j == 1 {
				series = &rep.Resources[i].Memory
			}
			if !spec.discover {
				series.metric = &cwtypes.Metric{Namespace: aws.String(spec.namespace), MetricName: aws.String(spec.name), Dimensions: spec.dims}
				continue
			}
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				m, err := r.discover(ctx, spec)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					first = cmp.Or(first, err)
				case m == nil:
					series.Unavailable = spec.missing
				default:
					series.metric = m
				}
			})
		}
	}
	wg.Wait()
	return first
}

// discover finds the metric of spec that carries its dimensions, preferring the one with the
// fewest others; nil when there is none.
func (r *Reader) discover(ctx context.Context, spec metricSpec) (*cwtypes.Metric, error) {
	in := &cloudwatch.ListMetricsInput{Namespace: aws.String(spec.namespace), MetricName: aws.String(spec.name)}
	for _, d := range spec.dims {
		in.Dimensions = append(in.Dimensions, cwtypes.DimensionFilter{Name: d.Name, Value: d.Value})
	}
	var best *cwtypes.Metric
	p := cloudwatch.NewListMetricsPaginator(r.CloudWatch, in)
	for page := 0; p.HasMorePages() && page < 5; page++ {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, awserr.Explain(err, command.T("status.action.listmetrics"), "cloudwatch:ListMetrics")
		}
		for _, m := range out.Metrics {
			if best == nil || len(m.Dimensions) < len(best.Dimensions) ||
				(len(m.Dimensions) == len(best.Dimensions) && dimsKey(m.Dimensions) < dimsKey(best.Dimensions)) {
				best = &m
			}
		}
	}
	return best, nil
}

func dimsKey(ds []cwtypes.Dimension) string {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString(aws.ToString(d.Name) + "=" + aws.ToString(d.Value) + ";")
	}
	return b.String()
}

// fetch reads every resolved metric of the report with one GetMetricData request (its pages,
// if CloudWatch splits the answer, follow with NextToken).
func (r *Reader) fetch(ctx context.Context, rep *Report) error {
	var queries []cwtypes.MetricDataQuery
	byID := map[string]*Series{}
	for i := range rep.Resources {
		for _, s := range []*Series{&rep.Resources[i].CPU, &rep.Resources[i].Memory} {
			if s.metric == nil {
				continue
			}
			id := fmt.Sprintf("m%d", len(queries))
			byID[id] = s
			queries = append(queries, cwtypes.MetricDataQuery{
				Id: aws.String(id),
				MetricStat: &cwtypes.MetricStat{
					Metric: s.metric,
					Period: aws.Int32(int32(Period / time.Second)),
					Stat:   aws.String("Average"),
				},
				ReturnData: aws.Bool(true),
			})
		}
	}
	if len(queries) == 0 {
		return nil
	}
	in := &cloudwatch.GetMetricDataInput{
		MetricDataQueries: queries,
		StartTime:         aws.Time(rep.Start),
		EndTime:           aws.Time(rep.End.Add(Period)), // the minute in progress too
		ScanBy:            cwtypes.ScanByTimestampAscending,
	}
	p := cloudwatch.NewGetMetricDataPaginator(r.CloudWatch, in)
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return awserr.Explain(err, command.T("status.action.readmetrics"), "cloudwatch:GetMetricData")
		}
		for _, res := range out.MetricDataResults {
			s := byID[aws.ToString(res.Id)]
			if s == nil {
				continue
			}
			for k := range min(len(res.Timestamps), len(res.Values)) {
				s.Points = append(s.Points, Point{T: res.Timestamps[k], V: res.Values[k]})
			}
		}
	}
	for _, s := range byID {
		slices.SortFunc(s.Points, func(a, b Point) int { return a.T.Compare(b.T) })
	}
	return nil
}

func tag(tags []ec2types.Tag, key string) string {
	for _, t := range tags {
		if aws.ToString(t.Key) == key {
			return aws.ToString(t.Value)
		}
	}
	return ""
}

func lastPart(arn string) string {
	return arn[strings.LastIndexByte(arn, '/')+1:]
}

// WithJSONProtocol makes a CloudWatch client speak AWS JSON 1.0 instead of the SDK's default
// CBOR, which moto does not speak (getmoto/moto#9195). CloudWatch serves both.
func WithJSONProtocol(o *cloudwatch.Options) {
	o.Protocol = awsjson.New10(cwschemas.GraniteServiceVersion20100801)
}

// asWritten is a text from AWS (a state or type name), shown as written in every language;
// the zero Text for "".
func asWritten(s string) command.Text {
	if s == "" {
		return command.Text{}
	}
	return command.T("status.aswritten", i18n.Args{"Value": s})
}
