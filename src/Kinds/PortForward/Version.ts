/**
 * Where port forwards are in the API: the DNat model and `firewall/d_nat` arrive with 26.1
 * (opnsense/core 26.1: src/opnsense/mvc/app/controllers/OPNsense/Firewall/Api/DNatController.php,
 * models/OPNsense/Firewall/DNat.xml; absent at 25.7, where port forwards are the legacy
 * config.xml `nat/rule` of src/www/firewall_nat.php and no API lists them).
 */
import type { FirmwareVersion } from "../../Domain/Model.ts"
import { atLeast } from "../../Opnsense/Version.ts"

export const UNAVAILABLE = "port forwards are not in the API before 26.1; manage them in the GUI or upgrade"

export const inApi = (v: FirmwareVersion): boolean => atLeast(v, 26, 1)

export const unavailable = (v: FirmwareVersion): string | undefined =>
  inApi(v) ? undefined : `OPNsense ${v.raw}: ${UNAVAILABLE}`
