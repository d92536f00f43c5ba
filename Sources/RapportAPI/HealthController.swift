import Foundation
package import Hummingbird
package import NIOCore
package import RapportHTTP

/// `GET /healthz` and `GET /openapi.yaml`.
package struct HealthController: Sendable {
    package init() {}

    /// The contract, read once from the bundle.
    package static let openAPI: ByteBuffer = {
        let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml")
        return ByteBuffer(bytes: url.flatMap { try? Data(contentsOf: $0) } ?? Data())
    }()

    package func register(on router: Router<AppContext>) {
        router.get("healthz") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"],
                body: .init(byteBuffer: Self.openAPI))
        }
    }
}
