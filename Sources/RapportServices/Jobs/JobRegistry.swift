import Logging
import RapportCore
import RapportStore

/// The handlers of one installation by kind, built once in the composition root.
package struct JobRegistry: Sendable {
    let handlers: [String: JobHandler]

    /// A registry of `handlers`; kinds must be distinct.
    package init(_ handlers: [JobHandler]) {
        var byKind: [String: JobHandler] = [:]
        for handler in handlers {
            precondition(byKind[handler.kind] == nil, "two job handlers for kind \(handler.kind)")
            byKind[handler.kind] = handler
        }
        self.handlers = byKind
    }

    /// The handler for `kind`, if this installation has one.
    package func handler(for kind: String) -> JobHandler? {
        handlers[kind]
    }

    /// The recurring handlers, by kind.
    package var recurring: [JobHandler] {
        handlers.values.filter { $0.every != nil }.sorted { $0.kind < $1.kind }
    }
}
