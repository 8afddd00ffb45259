/** Node tier: reads and validates resources/rules/promotion.json (who is offered a prepaid meter, and what). */
import { readJsonFile } from './tariff-config.js';
import { parsePromotionRules, type PromotionRules } from '../domain/credit/promotion.js';

export function loadPromotionRules(path: string): PromotionRules {
  return parsePromotionRules(readJsonFile(path), path);
}
