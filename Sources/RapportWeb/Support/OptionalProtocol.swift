import Foundation
import HTTPTypes
import Hummingbird
import Mustache
import NIOCore
import RapportCore
import RapportHTTP
import RapportServices

/// Lets `compact` see through `Any`-boxed optionals.
protocol OptionalProtocol {
    var isNone: Bool { get }
}
