/**
 * A tiny self-drawn world map (equirectangular, coarse coastlines) with a dot at a session's
 * approximate position. No tiles, nothing remote: the CSP allows only our own origin.
 */
// biome-ignore format: one continent per block reads better than one number per line
const LAND: Array<Array<[number, number]>> = [
  // North America
  [
    [-168, 66], [-156, 71], [-125, 70], [-95, 72], [-80, 64], [-64, 60], [-56, 52], [-66, 44], [-76, 35],
    [-81, 31], [-80, 25], [-84, 30], [-90, 29], [-97, 27], [-97, 21], [-92, 18], [-87, 21], [-84, 15],
    [-78, 8], [-84, 9], [-92, 14], [-105, 19], [-110, 24], [-117, 32], [-124, 40], [-124, 48], [-135, 58],
    [-152, 59], [-165, 54], [-160, 60],
  ],
  // Greenland
  [[-52, 60], [-42, 60], [-20, 70], [-18, 80], [-40, 83], [-65, 80], [-72, 77], [-55, 70]],
  // South America
  [
    [-78, 8], [-60, 11], [-50, 0], [-35, -6], [-39, -15], [-48, -26], [-58, -35], [-65, -42], [-68, -55],
    [-74, -50], [-73, -38], [-71, -18], [-81, -6], [-80, 1],
  ],
  // Eurasia
  [
    [-10, 36], [-9, 43], [-2, 44], [-5, 48], [2, 51], [8, 54], [10, 58], [5, 62], [15, 69], [28, 71],
    [45, 68], [70, 73], [100, 78], [140, 72], [180, 69], [180, 65], [160, 60], [142, 50], [135, 43],
    [128, 35], [122, 31], [121, 25], [110, 20], [106, 10], [100, 14], [100, 3], [104, 1], [98, 8], [92, 21],
    [80, 15], [77, 8], [72, 21], [66, 25], [57, 25], [50, 27], [48, 30], [50, 26], [56, 24], [59, 22],
    [52, 16], [44, 12], [39, 21], [34, 28], [32, 31], [35, 36], [28, 36], [26, 40], [22, 37], [16, 38],
    [12, 44], [8, 44], [3, 43], [-2, 37],
  ],
  // Africa
  [
    [-17, 21], [-10, 30], [-6, 36], [10, 37], [11, 33], [20, 31], [32, 31], [34, 28], [43, 12], [51, 12],
    [40, -2], [40, -15], [35, -24], [27, -34], [19, -35], [12, -17], [9, -1], [4, 6], [-8, 4], [-17, 14],
  ],
  // Australia
  [
    [114, -22], [122, -18], [130, -12], [137, -12], [142, -11], [146, -19], [153, -26], [150, -37],
    [141, -38], [131, -31], [115, -34],
  ],
  // Great Britain, Japan, Borneo, Sumatra, New Zealand, Madagascar
  [[-5, 50], [1, 51], [-2, 56], [-5, 58], [-6, 56]],
  [[130, 31], [135, 34], [140, 36], [142, 43], [140, 41], [136, 36]],
  [[109, 2], [117, 7], [119, 1], [116, -4], [110, -3]],
  [[95, 5], [106, -6], [102, -4]],
  [[172, -34], [178, -38], [174, -41], [167, -46], [171, -44]],
  [[44, -25], [47, -25], [50, -15], [49, -12]],
];

const x = (lon: number) => lon + 180;
const y = (lat: number) => 90 - lat;
const LAND_PATH = LAND.map((shape) => `M${shape.map(([lon, lat]) => `${x(lon)},${y(lat)}`).join('L')}Z`).join(
  '',
);

interface MiniMapProps {
  latitude: number;
  longitude: number;
  label: string;
}

export function MiniMap({ latitude, longitude, label }: MiniMapProps) {
  return (
    <svg className="minimap" viewBox="0 5 360 150" role="img" aria-label={label} focusable="false">
      <title>{label}</title>
      <rect x="0" y="5" width="360" height="150" className="minimap-sea" />
      <path d={LAND_PATH} className="minimap-land" />
      <circle cx={x(longitude)} cy={y(latitude)} r="22" className="minimap-halo" />
      <circle cx={x(longitude)} cy={y(latitude)} r="10" className="minimap-dot" />
    </svg>
  );
}
