import Foundation
import Hummingbird
import RapportServices

/// Hummingbird's key/value persistence over the `sessions` table, so sessions survive restarts and are
/// shared by every server process on one database.
struct SessionStorage: PersistDriver {
    let sessions: SessionService

    func create<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        guard try await sessions.create(id: key, data: try Self.encode(value), expiresIn: expires) else {
            throw PersistError.duplicate
        }
    }

    func set<Object: Codable & Sendable>(key: String, value: Object, expires: Duration?) async throws {
        try await sessions.set(id: key, data: try Self.encode(value), expiresIn: expires)
    }

    func get<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> Object? {
        try await getWithTTL(key: key, as: type)?.object
    }

    func getWithTTL<Object: Codable & Sendable>(key: String, as type: Object.Type) async throws -> (
        object: Object, ttl: Duration?
    )? {
        guard let (data, secondsLeft) = try await sessions.get(id: key) else { return nil }
        do {
            let object = try JSONDecoder().decode(type, from: Data(data.utf8))
            return (object, secondsLeft.map { .seconds($0) })
        } catch {
            throw PersistError.invalidConversion
        }
    }

    func remove(key: String) async throws {
        try await sessions.remove(id: key)
    }

    static func encode(_ value: some Encodable) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }
}
