import Foundation
import Logging
import RapportCore
import RapportDatabase
import SQLKit

package enum Migrations {
    static let all: [Migration] = [
        M0001_Platform.migration, M0002_Records.migration, M0003_Search.migration,
        M0004_CompactIndexes.migration,
        M0005_SearchRecency.migration,
        M0006_TermsByDocument.migration,
        M0007_FullTextTerms.migration,
        M0008_FilteredLists.migration,
        M0009_SearchSpaces.migration,
        M0010_Jobs.migration,
        M0011_Products.migration,
        M0012_UserSettings.migration,
        M0013_CustomFieldOrder.migration,
        M0014_UserStatus.migration,
        M0015_Duplicates.migration,
        M0016_Invites.migration,
        M0017_UserTimeZone.migration,
        M0018_Follows.migration,
        M0019_ListIndexes.migration,
        M0020_Teams.migration,
        M0021_Notifications.migration,
        M0022_VisibleLists.migration,
        M0023_Sales.migration,
        M0024_Tasks.migration,
        M0025_Orders.migration,
        M0026_SegmentsAndConsent.migration,
        M0027_FunnelStays.migration,
        M0028_EmailDelivery.migration,
        M0029_MarketingGroundwork.migration,
        M0030_Campaigns.migration,
        M0031_FrequencyPolicy.migration,
        M0032_EmailTracking.migration,
        M0033_SegmentTags.migration,
        M0034_OutboxMessageID.migration,
    ]

    package static var latestVersion: Int { all.last?.version ?? 0 }

    /// Every migration's version, in the order they apply.
    package static var versions: [Int] { all.map(\.version) }
}
