import { apiEndpoint } from "../endpoint";
import { gaugePost } from "../gauge-endpoint";

export default apiEndpoint({ POST: gaugePost("claim") });
