// swift-tools-version:6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "Rapport",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "rapport", targets: ["rapport"])
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth.git", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/vapor/sql-kit.git", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit.git", from: "4.5.2"),
        .package(url: "https://github.com/vapor/postgres-kit.git", from: "2.17.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .target(
            name: "RapportCore",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportDatabase",
            dependencies: [
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportStore",
            dependencies: [
                "RapportCore",
                "RapportDatabase",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportMail",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportServices",
            dependencies: [
                "RapportCore",
                "RapportDatabase",
                "RapportStore",
                "RapportMail",
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportHTTP",
            dependencies: [
                "RapportCore",
                "RapportDatabase",
                "RapportServices",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportAPI",
            dependencies: [
                "RapportCore",
                "RapportServices",
                "RapportHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
            ],
            resources: [.copy("Resources/openapi.yaml")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportWeb",
            dependencies: [
                "RapportCore",
                "RapportServices",
                "RapportHTTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            resources: [.copy("Resources/Templates"), .copy("Resources/Public"), .copy("Resources/Locales")],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportServer",
            dependencies: [
                "RapportCore",
                "RapportDatabase",
                "RapportStore",
                "RapportServices",
                "RapportHTTP",
                "RapportAPI",
                "RapportWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportBench",
            dependencies: [
                "RapportCore", "RapportDatabase", "RapportStore", "RapportMail", "RapportServices", "RapportServer",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "rapport",
            dependencies: [
                "RapportServer", "RapportBench", "RapportServices", "RapportStore", "RapportDatabase", "RapportCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RapportTestSupport",
            dependencies: [
                "RapportCore", "RapportDatabase", "RapportStore", "RapportServices", "RapportHTTP", "RapportAPI",
                "RapportWeb", "RapportServer",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SQLKit", package: "sql-kit"),
            ],
            path: "Tests/RapportTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RapportCoreTests",
            dependencies: ["RapportCore"]
        ),
        .testTarget(
            name: "RapportDatabaseTests",
            dependencies: ["RapportDatabase", "RapportTestSupport", .product(name: "Logging", package: "swift-log")]
        ),
        .testTarget(
            name: "RapportStoreTests",
            dependencies: ["RapportStore", "RapportDatabase", "RapportTestSupport"]
        ),
        .target(
            name: "RapportMailTestSupport",
            dependencies: ["RapportMail"],
            path: "Tests/RapportMailTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RapportMailTests",
            dependencies: ["RapportMail", "RapportMailTestSupport"]
        ),
        .testTarget(
            name: "RapportServicesTests",
            dependencies: [
                "RapportServices", "RapportCore", "RapportStore", "RapportMail", "RapportTestSupport",
                "RapportMailTestSupport",
            ]
        ),
        .testTarget(
            name: "RapportServerTests",
            dependencies: [
                "RapportServer", "RapportServices", "RapportStore", "RapportDatabase", "RapportTestSupport",
                "RapportMailTestSupport", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "RapportAPITests",
            dependencies: [
                "RapportTestSupport", "RapportMailTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RapportWebTests",
            dependencies: [
                "RapportTestSupport", "RapportMailTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "RapportCLITests",
            dependencies: [
                "rapport", "RapportDatabase", "RapportTestSupport", "RapportMailTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
