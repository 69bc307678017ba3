using System.Text.Json.Nodes;
using MassTransit;
using SalesEtl.Deploy.Tests.Support;
using SalesEtl.TestSupport;

namespace SalesEtl.Deploy.Tests;

/// <summary>
/// k8s/: the base and both overlays rendered with kustomize (kubectl's), every object validated
/// offline against the official schemas (kubernetes-models, @kubernetes-models/keda), and the
/// rules of issue 7 checked on the rendered objects.
/// </summary>
public sealed class The_Kubernetes_manifests
{
    public static TheoryData<string> Kustomizations => new(Kustomize.All);

    static Task<Rendered> Render(string kustomization) => Kustomize.RenderAsync(kustomization);

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_validate_every_object_against_the_official_schemas(string kustomization)
    {
        var rendered = await Render(kustomization);
        var (run, results) = await NodeValidators.ValidateKubernetesAsync(rendered.File);
        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Equal(rendered.Objects.Count, results.Count);
        Assert.All(results, r => Assert.Empty(r["errors"].Items()));
    }

    [Fact]
    public async Task Should_have_a_validator_that_rejects_a_wrong_object()
    {
        // The validator itself: a wrong type, a missing required field and an unknown kind fail.
        var file = Path.Combine(RepositoryLayout.Root, ".local", "deploy-tests", "invalid.yaml");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        await File.WriteAllTextAsync(file, """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: wrong}
            spec:
              selector: {}
              template:
                spec:
                  containers:
                    - name: a
                      image: b
                      securityContext: {runAsUser: nobody}
            ---
            apiVersion: keda.sh/v1alpha1
            kind: ScaledObject
            metadata: {name: wrong}
            spec: {triggers: []}
            ---
            apiVersion: example.com/v1
            kind: Unknown
            metadata: {name: wrong}
            """);
        var (run, results) = await NodeValidators.ValidateKubernetesAsync(file);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.NotEmpty(r["errors"].Items()));
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_run_every_container_non_root_with_a_read_only_root_file_system(string kustomization)
    {
        var rendered = await Render(kustomization);
        var checkedContainers = 0;
        foreach (var (workload, pod) in rendered.PodSpecs())
        {
            var podContext = pod["securityContext"];
            foreach (var container in pod["containers"].Items().Concat(pod["initContainers"].Items()))
            {
                var where = $"{kustomization}: {workload["kind"].Str()} {workload["metadata"]?["name"].Str()} container {container?["name"].Str()}";
                var context = container?["securityContext"];
                string? Setting(string name) => context?[name]?.ToString() ?? podContext?[name]?.ToString();

                Assert.True(Setting("runAsNonRoot") == "true", $"{where}: runAsNonRoot");
                Assert.True(long.TryParse(Setting("runAsUser"), out var uid) && uid > 0, $"{where}: numeric runAsUser > 0");
                Assert.True(context?["readOnlyRootFilesystem"]?.ToString() == "true", $"{where}: readOnlyRootFilesystem");
                Assert.True(context?["allowPrivilegeEscalation"]?.ToString() == "false", $"{where}: allowPrivilegeEscalation false");
                Assert.True(context?["capabilities"]?["drop"].Items().Any(c => c.Str() == "ALL") == true, $"{where}: capabilities drop ALL");
                Assert.True((context?["seccompProfile"] ?? podContext?["seccompProfile"])?["type"].Str() == "RuntimeDefault", $"{where}: seccomp RuntimeDefault");
                Assert.True(container?["volumeMounts"].Items().Any(m => m?["mountPath"].Str() == "/tmp") == true, $"{where}: a writable /tmp");
                checkedContainers++;
            }
        }
        Assert.True(checkedContainers >= Programs.All.Count, $"{kustomization}: {checkedContainers} containers");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_run_every_service_with_probes_resources_and_a_Service(string kustomization)
    {
        var rendered = await Render(kustomization);
        foreach (var program in Programs.Services)
        {
            var deployment = rendered.Single("Deployment", program.Name);
            var container = deployment["spec"]!["template"]!["spec"]!["containers"].Items().Single()!;
            Assert.EndsWith(program.Name, ImageName(container["image"].Str()!), StringComparison.Ordinal);
            Assert.Contains(container["ports"].Items(), p => p?["containerPort"]?.ToString() == $"{Programs.ContainerPort}" && p["name"].Str() == "http");
            Assert.Equal("/health/live", container["livenessProbe"]?["httpGet"]?["path"].Str());
            Assert.Equal("/health/ready", container["readinessProbe"]?["httpGet"]?["path"].Str());
            Assert.Equal("http", container["livenessProbe"]?["httpGet"]?["port"].Str());
            Assert.Equal("http", container["readinessProbe"]?["httpGet"]?["port"].Str());
            foreach (var kind in new[] { "requests", "limits" })
                foreach (var resource in new[] { "cpu", "memory" })
                    Assert.False(container["resources"]?[kind]?[resource] is null, $"{program}: resources.{kind}.{resource}");

            var service = rendered.Single("Service", program.Name);
            var selector = service["spec"]!["selector"].Entries().ToDictionary(e => e.Key, e => e.Value.Str());
            var labels = deployment["spec"]!["template"]!["metadata"]!["labels"].Entries().ToDictionary(e => e.Key, e => e.Value.Str());
            Assert.All(selector, s => Assert.Equal(s.Value, labels.GetValueOrDefault(s.Key)));
            Assert.Contains(service["spec"]!["ports"].Items(), p => p?["targetPort"].Str() == "http");
        }
    }

    [Fact]
    public async Task Should_scale_the_transformer_with_KEDA_on_its_queue_depth()
    {
        var rendered = await Render(Kustomize.Base);
        var scaledObject = rendered.Single("ScaledObject", "transformer");
        Assert.Equal("Deployment", scaledObject["spec"]?["scaleTargetRef"]?["kind"].Str());
        Assert.Equal(Programs.Transformer.Name, scaledObject["spec"]?["scaleTargetRef"]?["name"].Str());
        var trigger = scaledObject["spec"]!["triggers"].Items().Single()!;
        Assert.Equal("rabbitmq", trigger["type"].Str());
        Assert.Equal("QueueLength", trigger["metadata"]?["mode"].Str());

        // The queue MassTransit names for TransformChunkConsumer (kebab-case endpoint names, ServiceDefaults).
        var consumer = await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "services/SalesEtl.Transformer/Consumers/TransformChunkConsumer.cs"));
        Assert.Contains("class TransformChunkConsumer", consumer, StringComparison.Ordinal);
        Assert.Equal(KebabCaseEndpointNameFormatter.Instance.SanitizeName("TransformChunk"), trigger["metadata"]?["queueName"].Str());
        Assert.Equal("transform-chunk", trigger["metadata"]?["queueName"].Str());

        // Its credentials come from a key of the RabbitMQ Secret.
        var authentication = rendered.Single("TriggerAuthentication", trigger["authenticationRef"]?["name"].Str()!);
        var reference = authentication["spec"]!["secretTargetRef"].Items().Single()!;
        Assert.Equal("host", reference["parameter"].Str());
        Assert.NotNull(rendered.Single("Secret", reference["name"].Str()!)["stringData"]?[reference["key"].Str()!]);

        foreach (var overlay in new[] { Kustomize.Local, Kustomize.Cloud })
        {
            var max = int.Parse((await Render(overlay)).Single("ScaledObject", "transformer")["spec"]!["maxReplicaCount"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange(max, 2, 100);
        }
    }

    [Fact]
    public async Task Should_limit_voluntary_disruptions_of_the_transformers()
    {
        var budget = (await Render(Kustomize.Base)).OfKind("PodDisruptionBudget").Single();
        Assert.Equal(Programs.Transformer.Name, budget["spec"]?["selector"]?["matchLabels"]?["app.kubernetes.io/name"].Str());
        Assert.True(budget["spec"]?["maxUnavailable"] is not null || budget["spec"]?["minAvailable"] is not null);
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_deny_all_traffic_but_what_each_program_needs(string kustomization)
    {
        var rendered = await Render(kustomization);
        var policies = rendered.OfKind("NetworkPolicy").ToList();
        Assert.Contains(policies, p => p["spec"]?["podSelector"] is JsonObject { Count: 0 }
            && p["spec"]?["policyTypes"].Items().Select(t => t.Str()).Order().SequenceEqual(["Egress", "Ingress"]) == true
            && p["spec"]?["ingress"] is null && p["spec"]?["egress"] is null);

        bool Selects(JsonObject policy, IReadOnlyDictionary<string, string?> labels)
        {
            var selector = policy["spec"]?["podSelector"];
            var matchLabels = selector?["matchLabels"].Entries().All(l => labels.GetValueOrDefault(l.Key) == l.Value.Str()) ?? true;
            var expressions = selector?["matchExpressions"].Items().All(e =>
                e?["operator"].Str() == "In" && e["values"].Items().Any(v => v.Str() == labels.GetValueOrDefault(e["key"].Str()!))) ?? true;
            return matchLabels && expressions;
        }
        bool AllowsEgress(IReadOnlyDictionary<string, string?> labels, int port) => policies.Any(p => Selects(p, labels)
            && p["spec"]?["egress"].Items().Any(rule => rule?["ports"].Items().Any(x => x?["port"]?.ToString() == $"{port}") == true) == true);
        bool AllowsIngress(IReadOnlyDictionary<string, string?> labels, int port) => policies.Any(p => Selects(p, labels)
            && p["spec"]?["ingress"].Items().Any(rule => rule?["ports"].Items().Any(x => x?["port"]?.ToString() == $"{port}") == true) == true);

        foreach (var (workload, pod) in rendered.PodSpecs())
        {
            var name = workload["metadata"]?["name"].Str();
            var labels = PodLabels(workload).ToDictionary(e => e.Key, e => e.Value.Str());
            Assert.True(AllowsEgress(labels, 53), $"{name}: DNS");
            var env = pod["containers"].Items().SelectMany(c => c?["env"].Items() ?? []).Select(e => e?["name"].Str()).ToList();
            if (env.Contains("ConnectionStrings__Postgres"))
            {
                Assert.True(AllowsEgress(labels, 5432), $"{name}: PostgreSQL");
                Assert.True(AllowsEgress(labels, 5672), $"{name}: RabbitMQ");
            }
            if (Programs.Services.Any(p => p.Name == name))
                Assert.True(AllowsIngress(labels, Programs.ContainerPort), $"{name}: scrapes of /metrics");
        }
        var productSync = PodLabels(rendered.Single("Deployment", Programs.ProductSync.Name)).ToDictionary(e => e.Key, e => e.Value.Str());
        Assert.True(AllowsEgress(productSync, Programs.ContainerPort), "product-sync -> catalog");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_trigger_a_run_by_message_from_a_CronJob(string kustomization)
    {
        var rendered = await Render(kustomization);
        var cronJob = rendered.OfKind("CronJob").Single();
        Assert.Equal("Forbid", cronJob["spec"]?["concurrencyPolicy"].Str());
        var pod = cronJob["spec"]!["jobTemplate"]!["spec"]!["template"]!["spec"]!;
        Assert.Equal("Never", pod["restartPolicy"].Str());
        var container = pod["containers"].Items().Single()!;
        Assert.EndsWith(Programs.Etl.Name, ImageName(container["image"].Str()!), StringComparison.Ordinal);
        var args = container["args"].Items().Select(a => a.Str()).ToList();
        Assert.Equal("run", args[0]);
        // The file it names is in the input folder mounted into it and into the ingestor (the tool checks that it exists).
        Assert.StartsWith("/data/in/", args[1], StringComparison.Ordinal);
        var input = container["volumeMounts"].Items().Single(m => m?["mountPath"].Str() == "/data/in")!["name"].Str();
        var ingestor = rendered.Single("Deployment", Programs.Ingestor.Name)["spec"]!["template"]!["spec"]!;
        var ingestorInput = ingestor["containers"].Items().Single()!["volumeMounts"].Items().Single(m => m?["mountPath"].Str() == "/data/in")!["name"].Str();
        Assert.Equal(
            VolumeSource(ingestor, ingestorInput!).ToJsonString(),
            VolumeSource(pod, input!).ToJsonString());
        Assert.Contains(ingestor["containers"].Items().Single()!["env"].Items(), e => e?["name"].Str() == "Inputs__AllowedRoots__0" && e["value"].Str() == "/data/in");
        // The orchestrator's runs API checks the files it is asked to run: the same folder, the same rule.
        var orchestrator = rendered.Single("Deployment", Programs.Orchestrator.Name)["spec"]!["template"]!["spec"]!;
        var orchestratorContainer = orchestrator["containers"].Items().Single()!;
        var orchestratorInput = orchestratorContainer["volumeMounts"].Items().Single(m => m?["mountPath"].Str() == "/data/in")!["name"].Str();
        Assert.Equal(VolumeSource(ingestor, ingestorInput!).ToJsonString(), VolumeSource(orchestrator, orchestratorInput!).ToJsonString());
        Assert.Contains(orchestratorContainer["env"].Items(), e => e?["name"].Str() == "Inputs__AllowedRoots__0" && e["value"].Str() == "/data/in");
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_take_every_credential_from_a_Secret(string kustomization)
    {
        var rendered = await Render(kustomization);
        var credential = new System.Text.RegularExpressions.Regex(@"(pass(word|wd)?|secret|token|api_*keys?|credential|^ConnectionStrings__)", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
        var found = 0;
        foreach (var (workload, pod) in rendered.PodSpecs())
            foreach (var env in pod["containers"].Items().SelectMany(c => c?["env"].Items() ?? []))
                if (credential.IsMatch(env?["name"].Str() ?? ""))
                {
                    found++;
                    Assert.True(env!["value"] is null && env["valueFrom"]?["secretKeyRef"] is not null,
                        $"{workload["metadata"]?["name"].Str()}: {env["name"].Str()} comes from a Secret");
                }
        Assert.True(found > 0);
        // Nothing credential-like hides in a ConfigMap either.
        Assert.DoesNotContain(rendered.OfKind("ConfigMap").SelectMany(c => c["data"].Entries()), e => credential.IsMatch(e.Key));
        var orchestrator = rendered.Single("Deployment", Programs.Orchestrator.Name)["spec"]!["template"]!["spec"]!["containers"].Items().Single()!;
        Assert.Contains(orchestrator["env"].Items(), e => e?["name"].Str() == "Api__Keys__0");
    }

    [Fact]
    public async Task Should_keep_only_placeholders_in_the_Secret_templates()
    {
        var secrets = (await Render(Kustomize.Base)).OfKind("Secret").ToList();
        Assert.Equal(["etl-api", "etl-postgres", "etl-rabbitmq"], secrets.Select(s => s["metadata"]?["name"].Str()).Order());
        foreach (var secret in secrets)
        {
            Assert.Null(secret["data"]);
            foreach (var (key, value) in secret["stringData"].Entries())
                if (key is not ("username" or "database"))
                    Assert.Contains("REPLACE_ME", value.Str(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Kustomizations))]
    public async Task Should_refer_only_to_ConfigMaps_and_Secrets_that_exist(string kustomization)
    {
        var rendered = await Render(kustomization);
        var configMaps = rendered.OfKind("ConfigMap").ToDictionary(c => c["metadata"]!["name"].Str()!, c => c["data"].Entries().Select(e => e.Key).ToHashSet());
        // The cloud overlay carries no Secret: the pipeline creates them, with the keys the templates have.
        var secrets = (kustomization == Kustomize.Cloud ? await Render(Kustomize.Base) : rendered).OfKind("Secret")
            .ToDictionary(s => s["metadata"]!["name"].Str()!, s => s["stringData"].Entries().Select(e => e.Key).ToHashSet());
        if (kustomization == Kustomize.Cloud)
            Assert.Empty(rendered.OfKind("Secret"));

        foreach (var (workload, pod) in rendered.PodSpecs())
        {
            var name = workload["metadata"]?["name"].Str();
            foreach (var container in pod["containers"].Items())
            {
                foreach (var source in container?["envFrom"].Items() ?? [])
                    Assert.True(configMaps.ContainsKey(source?["configMapRef"]?["name"].Str() ?? ""), $"{name}: envFrom {source?.ToJsonString()}");
                foreach (var env in container?["env"].Items() ?? [])
                {
                    if (env?["valueFrom"]?["secretKeyRef"] is { } secretRef)
                        Assert.True(secrets.GetValueOrDefault(secretRef["name"].Str()!)?.Contains(secretRef["key"].Str()!) == true, $"{name}: {secretRef.ToJsonString()}");
                    if (env?["valueFrom"]?["configMapKeyRef"] is { } configRef)
                        Assert.True(configMaps.GetValueOrDefault(configRef["name"].Str()!)?.Contains(configRef["key"].Str()!) == true, $"{name}: {configRef.ToJsonString()}");
                }
            }
            foreach (var volume in pod["volumes"].Items())
            {
                if (volume?["configMap"]?["name"].Str() is { } map)
                {
                    Assert.True(configMaps.ContainsKey(map), $"{name}: volume configMap {map}");
                    Assert.All(volume["configMap"]!["items"].Items(), i => Assert.Contains(i?["key"].Str()!, configMaps[map]));
                }
                if (volume?["persistentVolumeClaim"]?["claimName"].Str() is { } claim)
                    Assert.Contains(rendered.OfKind("PersistentVolumeClaim"), c => c["metadata"]?["name"].Str() == claim);
            }
        }
    }

    [Fact]
    public async Task Should_run_PostgreSQL_and_RabbitMQ_in_the_local_overlay_and_use_managed_services_in_the_cloud()
    {
        var local = await Render(Kustomize.Local);
        Assert.Equal(["postgres", "rabbitmq"], local.OfKind("StatefulSet").Select(s => s["metadata"]?["name"].Str()).Order());
        Assert.Equal(["postgres", "rabbitmq"], local.OfKind("Service").Select(s => s["metadata"]?["name"].Str()).Where(n => n is "postgres" or "rabbitmq").Order());
        var plugins = local.Single("ConfigMap", "rabbitmq-config")["data"]?["enabled_plugins"].Str();
        Assert.Contains("rabbitmq_management", plugins, StringComparison.Ordinal);
        Assert.Contains("rabbitmq_prometheus", plugins, StringComparison.Ordinal);
        Assert.Equal("rabbitmq", EtlConfig(local)["RabbitMq__Host"].Str());

        var cloud = await Render(Kustomize.Cloud);
        Assert.Empty(cloud.OfKind("StatefulSet"));
        Assert.DoesNotContain(cloud.OfKind("Service"), s => s["metadata"]?["name"].Str() is "postgres" or "rabbitmq");
        Assert.NotEqual("rabbitmq", EtlConfig(cloud)["RabbitMq__Host"].Str());
    }

    [Theory]
    [InlineData(Kustomize.Local, @"^sales-etl/[a-z-]+:dev$")]
    [InlineData(Kustomize.Cloud, @"^ghcr\.io/[a-z0-9-]+/sales-etl-[a-z-]+:[A-Za-z0-9._-]+$")]
    public async Task Should_pin_the_images_of_every_program(string overlay, string pattern)
    {
        var rendered = await Render(overlay);
        var images = rendered.PodSpecs().SelectMany(p => p.PodSpec["containers"].Items()).Select(c => c?["image"].Str()!)
            .Where(i => Programs.All.Any(p => ImageName(i) == $"sales-etl/{p.Name}" || ImageName(i).EndsWith($"/sales-etl-{p.Name}", StringComparison.Ordinal)))
            .ToList();
        Assert.Equal(Programs.All.Count, images.Distinct().Count());
        Assert.All(images, i => Assert.Matches(pattern, i));
    }

    [Fact]
    public async Task Should_bundle_the_sample_files_unchanged()
    {
        var samples = (await Render(Kustomize.Base)).Single("ConfigMap", "etl-samples")["data"]!;
        foreach (var file in new[] { "products.json", "sales.csv" })
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(RepositoryLayout.Root, "samples", file)), samples[file].Str());
    }

    static JsonObject EtlConfig(Rendered rendered) =>
        rendered.OfKind("ConfigMap").Single(c => c["metadata"]!["name"].Str()!.StartsWith("etl-config", StringComparison.Ordinal))["data"]!.AsObject();

    static IEnumerable<KeyValuePair<string, JsonNode?>> PodLabels(JsonObject workload) =>
        (workload["kind"].Str() == "CronJob" ? workload["spec"]?["jobTemplate"]?["spec"]?["template"] : workload["spec"]?["template"])?["metadata"]?["labels"].Entries() ?? [];

    static JsonObject VolumeSource(JsonNode pod, string name)
    {
        var volume = pod["volumes"].Items().Single(v => v?["name"].Str() == name)!.AsObject();
        var copy = JsonNode.Parse(volume.ToJsonString())!.AsObject();
        copy.Remove("name");
        return copy;
    }

    /// <summary>The image without its tag.</summary>
    internal static string ImageName(string image)
    {
        var lastSlash = image.LastIndexOf('/');
        var colon = image.IndexOf(':', lastSlash + 1);
        return colon < 0 ? image : image[..colon];
    }
}
