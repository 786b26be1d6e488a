import { PageQuery } from '../../common/page.query';

export class ListDatasetsQuery extends PageQuery {}
