/// How urgent a task is: `low`, `normal` (the default) or `high`.
package enum TaskPriority {
    package static let low = "low"
    package static let normal = "normal"
    package static let high = "high"
    /// Every priority, lowest first.
    package static let all = [low, normal, high]
}
