export { formatFen, fenToYuanText } from '../../main/domain/money.js';
