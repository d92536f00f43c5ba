import Crypto
import Foundation
package import HTTPTypes
import Hummingbird
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOFoundationCompat
import RapportCore
import RapportServices

extension HTTPField.Name {
    package static let xRequestID = HTTPField.Name("X-Request-ID")!
    package static let idempotencyKey = HTTPField.Name("Idempotency-Key")!
    package static let xForwardedProto = HTTPField.Name("X-Forwarded-Proto")!
    static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
    static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
