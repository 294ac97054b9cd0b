import CoreMetrics
import Prometheus

/// swift-metrics' factory over one swift-prometheus registry, with each metric's help
/// text and buckets from `MetricCatalog`, so that `/metrics` documents itself and
/// passes `promtool check metrics`. Timers are `AtomicDurationHistogram`s, kept
/// beside the registry: they are on the hot path.
struct PrometheusMetrics: MetricsFactory {
    let registry = PrometheusCollectorRegistry()
    private let histograms = AtomicHistograms()

    /// Everything, in the Prometheus text format.
    func exposition() -> String {
        registry.emitToString() + histograms.emit(help: Self.help)
    }

    static func help(_ name: String) -> String {
        MetricCatalog.help[name] ?? name.replacingOccurrences(of: "_", with: " ")
    }

    private func descriptor(_ name: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: Self.help(name))
    }

    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        registry.makeCounter(descriptor: descriptor(label), labels: dimensions)
    }

    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        guard aggregate else { return registry.makeGauge(descriptor: descriptor(label), labels: dimensions) }
        return registry.makeValueHistogram(
            descriptor: descriptor(label), labels: dimensions, buckets: MetricCatalog.valueBuckets[label] ?? [1, 10, 100, 1_000, 10_000])
    }

    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        registry.makeGauge(descriptor: descriptor(label), labels: dimensions)
    }

    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        histograms.histogram(name: label, labels: dimensions, buckets: MetricCatalog.durationBuckets)
    }

    func destroyCounter(_ handler: any CounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {
        if let counter = handler as? Prometheus.Counter { registry.unregisterCounter(counter) }
    }

    func destroyRecorder(_ handler: any RecorderHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
        if let histogram = handler as? ValueHistogram { registry.unregisterValueHistogram(histogram) }
    }

    func destroyMeter(_ handler: any MeterHandler) {
        if let gauge = handler as? Prometheus.Gauge { registry.unregisterGauge(gauge) }
    }

    func destroyTimer(_ handler: any TimerHandler) {
        if let histogram = handler as? AtomicDurationHistogram { histograms.remove(histogram) }
    }
}
