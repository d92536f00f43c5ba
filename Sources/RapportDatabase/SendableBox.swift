/// Carries a closure's result out of a `@Sendable` callback that ran exactly once before it is read.
final class SendableBox<R>: @unchecked Sendable {
    var value: R?
}
