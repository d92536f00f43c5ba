import Foundation
import Hummingbird
import NIOCore
import RapportCore

/// A decoded form: its fields in order, repeated names kept.
struct FormData {
    var pairs: [(name: String, value: String)] = []

    /// The last value of each field.
    var last: [String: String] { Dictionary(pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { _, new in new }) }

    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }
}
